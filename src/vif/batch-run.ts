/**
 * The scheduler of one batch (`plugAll` and friends): at most `concurrency` VIFs in flight,
 * the next VIF taken from the source only when a slot is free, each VIF's result counted and
 * reported, and a stop (abort, or a throwing progress callback) that starts nothing more.
 */
import type { BatchAction, BatchOptions, BatchProgress, BatchResult, VifPair } from './batch.js';
import { NoMatchingPlugin, ObjectTypeError } from './errors.js';
import { loadedPlugins, plug, unplug } from './facade.js';
import { InstanceInfo } from './objects/instance.js';
import { VIFBase } from './objects/vif.js';

/** What {@link Run.unlessStopped} gives when the batch was stopped first. */
const STOPPED = Symbol('stopped');

/** A checked pair and its input position. */
export interface Entry {
  index: number;
  pair: VifPair;
}

/** One batch: the slots, the counts, the progress callback. */
export class Run {
  done = 0;
  ok = 0;
  private inFlight = 0;
  private slotFreed?: () => void;
  private callbackError?: { error: unknown };
  private readonly stop = new AbortController();
  private readonly plugins = new Set(loadedPlugins());

  constructor(
    private readonly action: BatchAction,
    private readonly options: BatchOptions,
    /** VIFs in flight at once. */
    private readonly limit: number,
    /** VIFs in the batch, once known. */
    public total: number | undefined,
    private readonly onProgress: ((progress: BatchProgress) => void) | undefined,
  ) {}

  /**
   * Starts the VIFs of `items` as slots free up, taking the next item only once a slot is free
   * (so a stream is read no faster than VIFs finish); resolves when all started ones have finished.
   */
  async drive(items: Iterable<Entry> | AsyncIterable<Entry>): Promise<void> {
    const iterator =
      Symbol.asyncIterator in items
        ? (items as AsyncIterable<Entry>)[Symbol.asyncIterator]()
        : (items as Iterable<Entry>)[Symbol.iterator]();
    const running = new Set<Promise<void>>();
    let sourceError: { error: unknown } | undefined;
    try {
      for (;;) {
        while (this.inFlight >= this.limit) await new Promise<void>((resolve) => (this.slotFreed = resolve));
        if (this.stopped()) break;
        const next = await this.unlessStopped(Promise.resolve(iterator.next()));
        if (next === STOPPED || next.done) break;
        const task = this.one(next.value.index, next.value.pair);
        running.add(task);
        void task.finally(() => running.delete(task));
      }
    } catch (error) {
      sourceError = { error };
    }
    // a stopped source is let go without waiting: it may be stalled (a stream with nothing to read)
    if (this.stopped()) Promise.resolve(iterator.return?.()).catch(() => undefined);
    await Promise.all(running);
    if (sourceError) throw sourceError.error;
  }

  private async one(index: number, pair: VifPair): Promise<void> {
    this.inFlight++;
    const start = performance.now();
    const vifId = vifIdOf(pair);
    let result: BatchResult;
    try {
      await (this.action === 'plug' ? plug : unplug)(pair.vif, pair.instanceInfo);
      result = { vifId, ok: true, ms: performance.now() - start };
    } catch (error) {
      result = { vifId, ok: false, error: asError(error), ms: performance.now() - start };
    }
    this.inFlight--;
    this.report(index, result);
    const freed = this.slotFreed;
    this.slotFreed = undefined;
    freed?.();
  }

  /** Counts a result and reports it; a throwing callback stops the batch. */
  report(index: number, result: BatchResult): void {
    this.done++;
    if (result.ok) this.ok++;
    if (!this.onProgress) return;
    try {
      this.onProgress({
        index,
        result,
        done: this.done,
        ok: this.ok,
        failed: this.done - this.ok,
        total: this.total,
      });
    } catch (error) {
      this.callbackError ??= { error };
      this.stop.abort(error);
    }
  }

  /** The result of a VIF not started because the batch was stopped. */
  aborted(pair: VifPair): BatchResult {
    const reason: unknown = this.options.signal?.aborted
      ? this.options.signal.reason
      : this.stop.signal.reason;
    return { vifId: vifIdOf(pair), ok: false, error: asError(reason), ms: 0 };
  }

  /** What the facade would refuse for this entry before reaching a plugin, or undefined. */
  check(pair: unknown): Error | undefined {
    return checkPair(pair, this.plugins);
  }

  /** `promise`, or {@link STOPPED} as soon as the batch is stopped (the promise is then let go). */
  private unlessStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    const signals = [this.stop.signal, ...(this.options.signal ? [this.options.signal] : [])];
    if (this.stopped()) return Promise.resolve(STOPPED);
    promise.catch(() => undefined); // an error after the stop is nobody's to handle
    let onAbort = () => {};
    const aborted = new Promise<typeof STOPPED>((resolve) => {
      onAbort = () => resolve(STOPPED);
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([promise, aborted]).finally(() => {
      for (const s of signals) s.removeEventListener('abort', onAbort);
    });
  }

  stopped(): boolean {
    return this.stop.signal.aborted || this.options.signal?.aborted === true;
  }

  throwIfCallbackFailed(): void {
    if (this.callbackError) throw this.callbackError.error;
  }
}

/** What the facade would refuse for this pair before reaching a plugin, or undefined. */
function checkPair(pair: unknown, plugins: ReadonlySet<string>): Error | undefined {
  if (pair === null || typeof pair !== 'object')
    return new ObjectTypeError('a batch entry must be an object { vif, instanceInfo }', { value: pair });
  const { vif, instanceInfo } = pair as Partial<VifPair>;
  if (!(vif instanceof VIFBase))
    return new ObjectTypeError('vif must be a VIF object (load primitives with objects.fromPrimitive)', {
      value: vif,
    });
  if (!(instanceInfo instanceof InstanceInfo))
    return new ObjectTypeError('instanceInfo must be an InstanceInfo object', { value: instanceInfo });
  const name = vif.objGet('plugin');
  if (typeof name !== 'string' || !plugins.has(name)) return new NoMatchingPlugin({ plugin_name: name });
  return undefined;
}

/** The VIF's id, or '' when the entry has none. */
export function vifIdOf(pair: unknown): string {
  const vif = (pair as Partial<VifPair> | null)?.vif;
  if (!(vif instanceof VIFBase)) return '';
  const id = vif.objGet('id');
  return typeof id === 'string' ? id : '';
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
