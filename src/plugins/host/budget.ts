/**
 * The time limit of one plug or unplug call (`ovs_vsctl_timeout`): connecting to OVSDB, every
 * commit with its retries, the replica syncs and the rollback all draw on one budget, so a
 * failing call ends within the limit instead of once per step. The wait for ovs-vswitchd after
 * a commit keeps os-vif's own bound (the limit per transaction; it is only logged, never an
 * error) and is credited back, so a slow ovs-vswitchd does not fail later steps.
 */
import { OvsdbTimeoutError } from '../../ovsdb/index.js';

/** One call's OVSDB time budget. */
export class CallBudget {
  private deadline: number;

  /** @param limitMs the call's limit in ms; 0: no limit. */
  constructor(readonly limitMs: number) {
    this.deadline = limitMs > 0 ? performance.now() + limitMs : Number.POSITIVE_INFINITY;
  }

  /**
   * The timeout for the next OVSDB request: what is left, at least 1 ms (undefined without a
   * limit); OvsdbTimeoutError naming `what` when nothing is left.
   */
  timeoutFor(what: string): number | undefined {
    if (this.limitMs <= 0) return undefined;
    const left = Math.ceil(this.deadline - performance.now());
    if (left <= 0) throw new OvsdbTimeoutError(what, this.limitMs);
    return left;
  }

  /** Gives back time spent waiting for ovs-vswitchd (bounded separately, never an error). */
  credit(ms: number): void {
    this.deadline += ms;
  }

  /** `p`, or OvsdbTimeoutError naming `what` when it does not settle within what is left. */
  async race<T>(what: string, p: Promise<T>): Promise<T> {
    const ms = this.timeoutFor(what);
    if (ms === undefined) return p;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OvsdbTimeoutError(what, this.limitMs)), ms);
    });
    try {
      return await Promise.race([p, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
