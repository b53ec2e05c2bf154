/**
 * The ovs-vswitchd handshake, as ovsdbapp's vsctl transaction does it: a transaction that
 * wants to know when ovs-vswitchd applied it bumps `Open_vSwitch.next_cfg` (and reads the value
 * back); ovs-vswitchd sets `cur_cfg` to it once it reconfigured. The waits are woken by replica
 * updates, never by polling; afterwards the interfaces the call inserted are checked for an
 * OpenFlow port (`post_commit`).
 */
import { VSwitchError } from '../errors.js';
import type { Condition, OperationResult } from '../operations.js';
import type { Replica } from '../replica.js';
import type { ReplicaTxn } from '../txn.js';
import type { Uuid } from '../values.js';
import type { VswitchdReport } from './types.js';

/** `cur_cfg` waits on one replica. */
export class Vswitchd {
  /** Calls waiting for `cur_cfg` to reach a value, checked after every replica update. */
  private readonly waiters = new Set<{ target: number; done: () => void }>();

  constructor(
    private readonly replica: Replica,
    private readonly root: () => Uuid,
  ) {
    const wake = () => {
      if (this.waiters.size === 0) return;
      const cur = this.curCfg();
      for (const w of this.waiters) if (cur >= w.target) w.done();
    };
    replica.on('batch', wake);
    replica.on('synced', wake);
  }

  /**
   * ovsdbapp's `pre_commit`: one `next_cfg += 1` for the whole (group) transaction and a
   * `select` of the value it set, as the last operations; only when the transaction writes
   * something and the root row exists. Returns how to read the value from the results.
   */
  bump(txn: ReplicaTxn, wanted: boolean): (results: OperationResult[]) => number | undefined {
    const none = () => undefined;
    if (!wanted || txn.ops.length === 0 || this.replica.count('Open_vSwitch') === 0) return none;
    const where: Condition[] = [['_uuid', '==', this.root()]];
    txn.push({ op: 'mutate', table: 'Open_vSwitch', where, mutations: [['next_cfg', '+=', 1]] });
    txn.push({ op: 'select', table: 'Open_vSwitch', where, columns: ['next_cfg'] });
    // the select is the transaction's last operation (no comment is added)
    return (results) => results[results.length - 1]?.rows?.[0]?.next_cfg as number | undefined;
  }

  /**
   * ovsdbapp's `do_post_commit`: waits up to `leftMs` (0: no bound) for `cur_cfg` to reach
   * `nextCfg`, then reports the inserted interfaces (`inserted`, real UUIDs) that got no
   * OpenFlow port. `timeoutMs` is the bound as the caller gave it (for the report).
   */
  async postCommit(
    nextCfg: number,
    timeoutMs: number,
    leftMs: number,
    inserted: Uuid[],
  ): Promise<VswitchdReport> {
    const report: VswitchdReport = { nextCfg, timedOut: false, timeoutMs, failedInterfaces: [], waitedMs: 0 };
    const waitStarted = performance.now();
    const applied = await this.waitCfg(nextCfg, leftMs);
    report.waitedMs = performance.now() - waitStarted;
    if (!applied) {
      report.timedOut = true;
      return report;
    }
    for (const uuid of inserted) {
      const row = this.replica.get('Interface', uuid);
      if (!row) continue;
      const ofport = typeof row.ofport === 'number' ? row.ofport : null;
      if (ofport === null || ofport === 0 || ofport === -1)
        report.failedInterfaces.push({
          name: row.name as string,
          ofport,
          error: typeof row.error === 'string' ? row.error : null,
        });
    }
    return report;
  }

  /**
   * Bumps `next_cfg` in a transaction of its own and waits for `cur_cfg` to reach it; rejects
   * with `VSwitchError('timeout')` after `timeoutMs`.
   */
  async waitApplied(timeoutMs: number): Promise<void> {
    const root = this.root();
    const results = await this.replica.client.transact(this.replica.db, [
      {
        op: 'mutate',
        table: 'Open_vSwitch',
        where: [['_uuid', '==', root]],
        mutations: [['next_cfg', '+=', 1]],
      },
      { op: 'select', table: 'Open_vSwitch', where: [['_uuid', '==', root]], columns: ['next_cfg'] },
    ]);
    const target = results[1]?.rows?.[0]?.next_cfg as number;
    if (!(await this.waitCfg(target, timeoutMs))) throw appliedTimeout(target, timeoutMs);
  }

  /** `cur_cfg` of the root row as the replica shows it (0 without one). */
  private curCfg(): number {
    const r = this.replica.rows('Open_vSwitch').next();
    return r.done ? 0 : ((r.value.cur_cfg as number | undefined) ?? 0);
  }

  /** Resolves true once the replica shows `cur_cfg >= target`, false after `timeoutMs` (0: no limit). */
  private waitCfg(target: number, timeoutMs: number): Promise<boolean> {
    if (this.curCfg() >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        target,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.waiters.delete(waiter);
              resolve(false);
            }, timeoutMs)
          : undefined;
      this.waiters.add(waiter);
    });
  }
}

/** The error of a wait that ran out, when the caller asked for a rejection. */
export function appliedTimeout(target: number, timeoutMs: number): VSwitchError {
  return new VSwitchError('timeout', `ovs-vswitchd did not apply next_cfg ${target} within ${timeoutMs} ms`);
}
