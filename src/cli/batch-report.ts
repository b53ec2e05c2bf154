/**
 * What a batch prints: one result per VIF, the summary line, and the exit status.
 *
 * - JSON (`--json`, and always with `--stream`): one object per VIF on stdout, the single-VIF
 *   command's `--json` shapes plus where the VIF came from (`index` in the files, `line` of the
 *   stream): `{"ok": true, "action", "vif", "plugin", "ms", "index"}` or `{"ok": false, "action",
 *   "vif", "error": {"type", "message"}, "exit", "index"}`, `exit` being 2 when that VIF's input
 *   was refused (nothing was done for it) and 1 when its operation failed.
 * - Text: `plugged VIF <id> (<plugin>) in <ms> ms` on stdout, `os-vif plug: VIF <id>: <type>:
 *   <message>` on stderr.
 * - Always: `os-vif plug: N plugged, M failed` on stderr at the end (`(stopped by SIGINT)` after
 *   it when a signal stopped the batch; the command then exits 128 + the signal's number).
 *
 * Exit 0 when every VIF succeeded (or there were none), 2 when none succeeded and every failure
 * was refused input (so nothing on the host changed), 1 otherwise.
 */
import { describeFailure, VifOperationFailed } from './failure.js';
import type { Io } from './usage.js';

/** Where a VIF came from: its position in the files, or its line in the stream. */
export type Origin = { index: number } | { line: number };

/** A result, as printed. */
export type Outcome =
  | { ok: true; vifId: string; plugin: string; ms: number }
  | { ok: false; vifId: string | undefined; error: unknown };

/** Prints the results of one batch and keeps the counts. */
export class BatchReport {
  private ok = 0;
  private failed = 0;
  private refused = 0;
  private readonly verb: string;

  /** @param io where the lines go (through the progress bar, when there is one) */
  constructor(
    private readonly action: 'plug' | 'unplug',
    private readonly io: Pick<Io, 'out' | 'err'>,
    private readonly json: boolean,
  ) {
    this.verb = action === 'plug' ? 'plugged' : 'unplugged';
  }

  /** VIFs finished so far, and how many of them failed. */
  counts(): { done: number; failed: number } {
    return { done: this.ok + this.failed, failed: this.failed };
  }

  /** Prints one VIF's result. */
  result(outcome: Outcome, origin: Origin): void {
    if (outcome.ok) {
      this.ok++;
      const ms = Number(outcome.ms.toFixed(2));
      if (this.json)
        this.io.out(
          JSON.stringify({
            ok: true,
            action: this.action,
            vif: outcome.vifId,
            plugin: outcome.plugin,
            ms,
            ...origin,
          }),
        );
      else
        this.io.out(`${this.verb} VIF ${outcome.vifId} (${outcome.plugin}) in ${outcome.ms.toFixed(1)} ms`);
      return;
    }
    this.failed++;
    const failure = describeFailure(
      outcome.vifId ? new VifOperationFailed(outcome.vifId, outcome.error) : outcome.error,
    );
    if (failure.invalidInput) this.refused++;
    const exit = failure.invalidInput ? 2 : 1;
    if (this.json) {
      const { type, message } = failure;
      this.io.out(
        JSON.stringify({
          ok: false,
          action: this.action,
          vif: outcome.vifId ?? null,
          error: { type, message },
          exit,
          ...origin,
        }),
      );
    } else {
      // a refused entry's message already says which one it was; name the VIF when it is known
      const line =
        outcome.vifId && failure.type === 'UsageError'
          ? `VIF ${outcome.vifId}: ${failure.line}`
          : failure.line;
      this.io.err(`os-vif ${this.action}: ${line}`);
    }
  }

  /** Prints the summary line (saying so when a signal stopped the batch); the exit status. */
  finish(stoppedBy?: string): number {
    const stopped = stoppedBy ? ` (stopped by ${stoppedBy})` : '';
    this.io.err(`os-vif ${this.action}: ${this.ok} ${this.verb}, ${this.failed} failed${stopped}`);
    if (this.failed === 0) return 0;
    return this.ok === 0 && this.refused === this.failed ? 2 : 1;
  }
}
