/**
 * Reconnect back-off: exponential from `minMs` to `maxMs`, with up to 25% jitter so that many
 * clients restarted together do not reconnect in lockstep. Pure (the random source is injected).
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.current = minMs;
  }

  /** The delay before the next attempt; each call doubles the base, up to the maximum. */
  next(): number {
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * 2);
    return Math.round(base * (1 - 0.25 * this.random()));
  }

  /** Back to the minimum (after a successful connection). */
  reset(): void {
    this.current = this.minMs;
  }
}
