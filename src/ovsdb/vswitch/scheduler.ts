/**
 * Group commit: calls made while a commit is in flight share the next transaction. Each call
 * stays atomic (its work is added all or nothing), a call whose work fails is rejected alone,
 * and when the server refuses a grouped transaction every call is re-run in a transaction of
 * its own, so one bad call never fails the others. The scheduler knows nothing of what the
 * calls write: a {@link Composer} builds each transaction from the calls' work.
 */
import { OvsdbOperationError, OvsdbTimeoutError } from '../errors.js';
import type { OperationResult } from '../operations.js';
import type { Replica } from '../replica.js';
import { type ReplicaTxn, runTransaction } from '../txn.js';
import type { Uuid } from '../values.js';

/** One transaction being built from several calls' work. */
export interface TxnDraft<W, R> {
  /** Adds one call's work, all or nothing: it throws having undone its part. */
  add(work: W): R;
  /**
   * Adds what the whole transaction needs after the calls' work; `flagged` is true when a call
   * whose work was added asked for it (the VSwitch uses it to bump `next_cfg`). What it returns
   * reads the committed transaction's results.
   */
  finish(flagged: boolean): (results: OperationResult[]) => number | undefined;
}

/** Builds one transaction (each attempt gets a fresh draft on a fresh {@link ReplicaTxn}). */
export type Composer<W, R> = (txn: ReplicaTxn) => TxnDraft<W, R>;

/** A call's share of a committed transaction. */
export interface Committed<R> {
  /** What its work added (from the attempt that committed). */
  result: R;
  /** What the draft's `finish` reader made of the results (undefined when the transaction was empty). */
  read: number | undefined;
  /** Real UUIDs of the rows the transaction inserted, by `uuid-name`. */
  inserted: Map<string, Uuid>;
}

/** How the scheduler starts a commit once a call arrives while none is in flight. */
export type Kick = (start: () => void) => void;

/** Options of the group-commit scheduler (`VSwitch.open({ groupCommit })`). */
export interface GroupCommitOptions {
  /** At most this many calls share one transaction (default 1000). */
  maxGroup?: number;
  /**
   * Whether a call rejected with this error is worth one more try after an `echo` round trip
   * (its work read a replica that may lag another client's commit).
   */
  retryWhenFresh?: (error: unknown) => boolean;
  /**
   * How a commit is started when the scheduler is idle: default at once (synchronously), so a
   * lone call is never delayed; calls made while it is in flight form the next group.
   */
  kick?: Kick;
}

interface Call<W, R> {
  work: W;
  flagged: boolean;
  timeoutMs: number | undefined;
  /** `performance.now()` by which the commit must be done (undefined: none). */
  deadline: number | undefined;
  resolve: (c: Committed<R>) => void;
  reject: (e: unknown) => void;
  /** What the call's work added on the attempt being built. */
  result?: R;
  /** Set once the call has been re-run after a freshness barrier. */
  fresh?: boolean;
}

/** Queues calls and commits them in groups, one transaction at a time. */
export class GroupCommit<W, R> {
  private readonly queue: Call<W, R>[] = [];
  private flushing = false;
  private kicked = false;
  private readonly maxGroup: number;
  private readonly retryWhenFresh: (error: unknown) => boolean;
  private readonly kick: Kick;

  constructor(
    private readonly replica: Replica,
    private readonly compose: Composer<W, R>,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 1000;
    this.retryWhenFresh = options.retryWhenFresh ?? (() => false);
    this.kick = options.kick ?? ((start) => start());
  }

  /**
   * Commits `work` (in a transaction shared with other calls); resolves with its share once
   * the transaction committed. `flagged` is handed to the draft's `finish`; `timeoutMs` bounds
   * the wait in the queue and the commit.
   */
  submit(work: W, options: { flagged?: boolean; timeoutMs?: number } = {}): Promise<Committed<R>> {
    const { timeoutMs } = options;
    return new Promise((resolve, reject) => {
      this.queue.push({
        work,
        flagged: options.flagged ?? false,
        timeoutMs,
        deadline: timeoutMs ? performance.now() + timeoutMs : undefined,
        resolve,
        reject,
      });
      if (!this.flushing && !this.kicked) {
        this.kicked = true;
        this.kick(() => {
          this.kicked = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, this.maxGroup));
    } finally {
      this.flushing = false;
    }
  }

  private async commitGroup(all: Call<W, R>[]): Promise<void> {
    const now = performance.now();
    const expired = all.filter((c) => c.deadline !== undefined && c.deadline <= now);
    for (const c of expired)
      c.reject(new OvsdbTimeoutError('transact', c.timeoutMs as number, this.replica.client.remote));
    const group = all.filter((c) => !expired.includes(c));
    if (group.length === 0) return;
    const failed = new Map<Call<W, R>, unknown>();
    const bounded = group
      .map((c) => (c.deadline !== undefined ? Math.max(1, Math.ceil(c.deadline - now)) : c.timeoutMs))
      .filter((t): t is number => t !== undefined);
    try {
      const {
        value: read,
        results,
        inserted,
      } = await runTransaction(
        this.replica,
        (txn) => {
          failed.clear();
          const draft = this.compose(txn);
          for (const call of group) {
            try {
              call.result = draft.add(call.work);
            } catch (e) {
              failed.set(call, e);
            }
          }
          return draft.finish(group.some((c) => c.flagged && !failed.has(c)));
        },
        { retryOnDisconnect: true, timeoutMs: bounded.length ? Math.min(...bounded) : undefined },
      );
      const value = results.length > 0 ? read(results) : undefined;
      for (const c of group) if (!failed.has(c)) c.resolve({ result: c.result as R, read: value, inserted });
    } catch (e) {
      const rest = group.filter((c) => !failed.has(c));
      if (rest.length > 1 && e instanceof OvsdbOperationError) {
        for (const c of rest) await this.commitGroup([c]);
      } else for (const c of rest) c.reject(e);
    }
    await this.settleFailed(failed);
  }

  /**
   * A call whose work failed may have read a replica that is a little behind another client's
   * commit. Such calls run once more after an `echo` round trip (the server sends the pending
   * updates before the reply), and only then fail.
   */
  private async settleFailed(failed: Map<Call<W, R>, unknown>): Promise<void> {
    const again = [...failed].filter(([c, e]) => this.retryWhenFresh(e) && !c.fresh).map(([c]) => c);
    for (const [c, e] of failed) if (!again.includes(c)) c.reject(e);
    if (again.length === 0) return;
    await this.replica.client.echo().catch(() => {});
    for (const c of again) c.fresh = true;
    await this.commitGroup(again);
  }
}
