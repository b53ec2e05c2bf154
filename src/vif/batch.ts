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
import { type Entry, Run, vifIdOf } from './batch-run.js';
import { LibraryNotInitialized } from './errors.js';
import { isInitialized, throughHelper } from './facade.js';
import type { InstanceInfo } from './objects/instance.js';
import type { VIFBase } from './objects/vif.js';

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

/** Plug or unplug. */
export type BatchAction = 'plug' | 'unplug';
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
  action: BatchAction,
  pairs: readonly VifPair[],
  options: BatchOptions,
): Promise<BatchResult[]> {
  if (!Array.isArray(pairs))
    throw new TypeError(`${action}All: pairs must be an array of { vif, instanceInfo }`);
  checkOptions(action, options);
  const results: BatchResult[] = new Array(pairs.length);
  const onProgress = options.onProgress;
  const run = new Run(action, options, limitOf(options), pairs.length, (progress: BatchProgress) => {
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
  action: BatchAction,
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
  const run = new Run(action, options, limitOf(options), undefined, options.onProgress);
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
/** The batch's concurrency: the option, else the default for where the calls go. */
function limitOf(options: BatchOptions): number {
  return options.concurrency ?? (throughHelper() ? HELPER_BATCH_CONCURRENCY : DEFAULT_BATCH_CONCURRENCY);
}

/** Misuse: rejected before anything starts. */
function checkOptions(action: BatchAction, options: BatchOptions): void {
  if (!isInitialized()) throw new LibraryNotInitialized();
  const c = limitOf(options);
  if (!Number.isSafeInteger(c) || c < 1)
    throw new RangeError(`${action} batch: concurrency must be a positive integer, got ${String(c)}`);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new TypeError(`${action} batch: onProgress must be a function`);
}
