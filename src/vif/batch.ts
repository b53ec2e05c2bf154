/**
 * Many VIFs at once through the facade: {@link plugAll} / {@link unplugAll} for an array (results
 * in input order), {@link plugEach} / {@link unplugEach} for a stream of VIFs that may still be
 * arriving (results as each completes, through `onProgress`). Each VIF gets its own result and its
 * own typed error; one VIF's failure never rejects the batch.
 *
 * ```ts
 * const results = await osvif.plugAll(
 *   vifs.map((vif) => ({ vif, instanceInfo })),
 *   { onProgress: (p) => console.log(`${p.done}/${p.total}`) },
 * );
 * for (const r of results) if (!r.ok) console.error(r.vifId, r.error.message);
 * ```
 */

import { LibraryNotInitialized, NoMatchingPlugin, ObjectTypeError } from './errors.js';
import { isInitialized, loadedPlugins, plug, throughHelper, unplug } from './facade.js';
import { InstanceInfo } from './objects/instance.js';
import { VIFBase } from './objects/vif.js';

/**
 * VIFs in flight at once when `concurrency` is not given. All of a batch up to this bound: the
 * plugins coalesce concurrent calls into shared OVSDB transactions and netlink batches, so more
 * in flight is faster, while each VIF in flight holds its lock file and its share of a
 * transaction until it is done, so a bound keeps a huge batch from holding thousands of files.
 */
export const DEFAULT_BATCH_CONCURRENCY = 1024;

/**
 * The default when calls go to an `os-vif helper`: each call is a connection of its own, and the
 * helper refuses connections past its limit (32 by default) with `HelperBusy`; half of it leaves
 * room for the host's other clients.
 */
export const HELPER_BATCH_CONCURRENCY = 16;

/** One VIF and the instance it belongs to. */
export interface VifPair {
  vif: VIFBase;
  instanceInfo: InstanceInfo;
}

/** The outcome of one VIF of a batch; `ms` is the time from its start to its end. */
export type BatchResult =
  | { vifId: string; ok: true; ms: number }
  | {
      vifId: string;
      ok: false;
      /**
       * The error {@link plug} would have raised for this VIF alone (`PlugException` /
       * `UnplugException` wrapping the plugin's, `NoMatchingPlugin`, `ObjectTypeError`), or the
       * signal's reason for a VIF the batch did not start because it was aborted.
       */
      error: Error;
      ms: number;
    };

/** Reported after each VIF of a batch finishes (ok or not). */
export interface BatchProgress {
  /** The VIF's position in the input (0-based). */
  index: number;
  /** Its result. */
  result: BatchResult;
  /** VIFs finished so far, this one included. */
  done: number;
  /** Of those, how many succeeded. */
  ok: number;
  /** Of those, how many failed. */
  failed: number;
  /** VIFs in the batch; undefined while a stream given to {@link plugEach} has not ended. */
  total: number | undefined;
}

/** Options of a batch. */
export interface BatchOptions {
  /**
   * VIFs in flight at once, a positive integer (default {@link DEFAULT_BATCH_CONCURRENCY}, or
   * {@link HELPER_BATCH_CONCURRENCY} through a helper).
   */
  concurrency?: number;
  /** Called after each VIF finishes, in completion order. An error it throws ends the batch. */
  onProgress?: (progress: BatchProgress) => void;
  /**
   * Stops starting VIFs: those in flight finish (a plug is never cut half-way: it completes or
   * rolls back), those not started yet fail with the signal's reason.
   */
  signal?: AbortSignal;
}

/** Counts of a finished batch. */
export interface BatchSummary {
  total: number;
  ok: number;
  failed: number;
}

type Action = 'plug' | 'unplug';

/** What {@link Run.unlessStopped} gives when the batch was stopped first. */
const STOPPED = Symbol('stopped');

/** A checked pair and its input position. */
interface Entry {
  index: number;
  pair: VifPair;
}

/**
 * Plugs every VIF of `pairs`, `concurrency` at a time; resolves to one result per pair, in input
 * order. Every pair is checked first (VIF and InstanceInfo objects, a loaded plugin): a bad one
 * fails alone, before any VIF is started. Rejects only for misuse: `LibraryNotInitialized`, a
 * `pairs` that is not an array (TypeError), a bad `concurrency` (RangeError), or the error an
 * `onProgress` callback threw (after the VIFs in flight finish; no new VIF is started).
 */
export function plugAll(pairs: readonly VifPair[], options: BatchOptions = {}): Promise<BatchResult[]> {
  return runAll('plug', pairs, options);
}

/** Unplugs every VIF of `pairs`; like {@link plugAll}. */
export function unplugAll(pairs: readonly VifPair[], options: BatchOptions = {}): Promise<BatchResult[]> {
  return runAll('unplug', pairs, options);
}

/**
 * Plugs the VIFs of `source` as they arrive: a VIF is started as soon as it is read and a slot is
 * free, and `source` is read no faster than VIFs finish (at most `concurrency` in flight), so an
 * endless stream runs in bounded memory. Results go to `onProgress`, in completion order; the
 * promise resolves to the counts when `source` has ended and every VIF has finished. Each VIF is
 * checked when it arrives. Rejects like {@link plugAll}, or with the error `source` threw (after
 * the VIFs in flight finish).
 */
export function plugEach(
  source: Iterable<VifPair> | AsyncIterable<VifPair>,
  options: BatchOptions = {},
): Promise<BatchSummary> {
  return runEach('plug', source, options);
}

/** Unplugs the VIFs of `source` as they arrive; like {@link plugEach}. */
export function unplugEach(
  source: Iterable<VifPair> | AsyncIterable<VifPair>,
  options: BatchOptions = {},
): Promise<BatchSummary> {
  return runEach('unplug', source, options);
}

async function runAll(
  action: Action,
  pairs: readonly VifPair[],
  options: BatchOptions,
): Promise<BatchResult[]> {
  if (!Array.isArray(pairs))
    throw new TypeError(`${action}All: pairs must be an array of { vif, instanceInfo }`);
  checkOptions(action, options);
  const results: BatchResult[] = new Array(pairs.length);
  const onProgress = options.onProgress;
  const run = new Run(action, options, pairs.length, (progress) => {
    results[progress.index] = progress.result;
    onProgress?.(progress);
  });
  // every pair is checked before the first VIF starts
  const good: Entry[] = [];
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index] as VifPair; // a hole in a sparse array is refused as any non-pair
    const error = run.check(pair);
    if (error) run.report(index, { vifId: vifIdOf(pair), ok: false, error, ms: 0 });
    else good.push({ index, pair });
  }
  await run.drive(good);
  // VIFs left unstarted by an abort
  for (const { index, pair } of good) if (results[index] === undefined) run.report(index, run.aborted(pair));
  run.throwIfCallbackFailed();
  return results;
}

async function runEach(
  action: Action,
  source: Iterable<VifPair> | AsyncIterable<VifPair>,
  options: BatchOptions,
): Promise<BatchSummary> {
  if (
    source === null ||
    typeof source !== 'object' ||
    !(Symbol.iterator in source || Symbol.asyncIterator in source)
  )
    throw new TypeError(`${action}Each: source must be an iterable of { vif, instanceInfo }`);
  checkOptions(action, options);
  const run = new Run(action, options, undefined, options.onProgress);
  let index = 0;
  async function* checked(): AsyncGenerator<Entry> {
    for await (const pair of source) {
      const i = index++;
      const error = run.check(pair);
      if (error) run.report(i, { vifId: vifIdOf(pair), ok: false, error, ms: 0 });
      else yield { index: i, pair };
    }
    run.total = index;
  }
  await run.drive(checked());
  run.throwIfCallbackFailed();
  return { total: run.done, ok: run.ok, failed: run.done - run.ok };
}

/** One batch: the slots, the counts, the progress callback. */
class Run {
  done = 0;
  ok = 0;
  private inFlight = 0;
  private slotFreed?: () => void;
  private callbackError?: { error: unknown };
  private readonly limit: number;
  private readonly stop = new AbortController();
  private readonly plugins = new Set(loadedPlugins());

  constructor(
    private readonly action: Action,
    private readonly options: BatchOptions,
    public total: number | undefined,
    private readonly onProgress: ((progress: BatchProgress) => void) | undefined,
  ) {
    this.limit = options.concurrency ?? defaultConcurrency();
  }

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

function defaultConcurrency(): number {
  return throughHelper() ? HELPER_BATCH_CONCURRENCY : DEFAULT_BATCH_CONCURRENCY;
}

/** Misuse: rejected before anything starts. */
function checkOptions(action: Action, options: BatchOptions): void {
  if (!isInitialized()) throw new LibraryNotInitialized();
  const c = options.concurrency ?? defaultConcurrency();
  if (!Number.isSafeInteger(c) || c < 1)
    throw new RangeError(`${action} batch: concurrency must be a positive integer, got ${String(c)}`);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new TypeError(`${action} batch: onProgress must be a function`);
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
function vifIdOf(pair: unknown): string {
  const vif = (pair as Partial<VifPair> | null)?.vif;
  if (!(vif instanceof VIFBase)) return '';
  const id = vif.objGet('id');
  return typeof id === 'string' ? id : '';
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
