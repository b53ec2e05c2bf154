/** The demos' steps: each printed with its time as it ends, and the timings listed at the end. */

/** Where a demo writes. */
interface Out {
  out(line: string): void;
}

/** Runs and times a demo's steps. */
export class Steps {
  private readonly timings: [string, number][] = [];

  constructor(private readonly io: Out) {}

  /** Runs `fn` as the step `title`, printing `✓ title (ms)` when it ends, also when it fails. */
  async run<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t0;
      this.timings.push([title, ms]);
      this.io.out(`  ✓ ${title} (${ms.toFixed(1)} ms)`);
    }
  }

  /** Records a step timed by the caller (it printed nothing). */
  record(title: string, ms: number): void {
    this.timings.push([title, ms]);
  }

  /** Prints every step's time. */
  print(): void {
    this.io.out('\n▸ step timings');
    for (const [title, ms] of this.timings) this.io.out(`  ${ms.toFixed(1).padStart(8)} ms  ${title}`);
  }
}
