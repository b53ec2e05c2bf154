/**
 * SIGINT and SIGTERM during a batch: the first one stops it the way an abort does (no new VIF is
 * started, those in flight finish or roll back, the results and the summary are printed) and the
 * command then exits 128 + the signal's number (130, 143); a second one is not caught, so it ends
 * the process at once, as it would have without a batch.
 */
import { constants } from 'node:os';

/** A VIF was not started because the command received a signal. */
export class BatchInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`not started: the command received ${signal}`);
    this.name = 'BatchInterrupted';
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Watches for the signals until {@link Interruptions.dispose}. */
export class Interruptions {
  private readonly controller = new AbortController();
  private got: NodeJS.Signals | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.got = signal;
    this.dispose(); // a second one takes the default action
    this.controller.abort(new BatchInterrupted(signal));
    this.onStop?.();
  };

  /** @param onStop called on the first signal (e.g. to stop reading stdin) */
  constructor(private readonly onStop?: () => void) {
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The signal received, if one was. */
  get received(): NodeJS.Signals | undefined {
    return this.got;
  }

  /** 128 + the signal's number when one was received. */
  exitCode(): number | undefined {
    return this.got === undefined ? undefined : 128 + (constants.signals[this.got] ?? 0);
  }

  /** Stops watching. */
  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }
}
