/**
 * A one-line progress bar for a batch, redrawn in place on a terminal's stderr. It appears only
 * once the batch has run for `delayMs` from {@link ProgressBar.start} (a batch that is over sooner prints nothing), is redrawn at
 * most every `intervalMs`, and is erased before any other line is written to stderr and at the
 * end, so the terminal keeps only the command's own lines. The CLI makes one only when stderr is
 * a terminal; it never writes to stdout.
 */

/** Options of a {@link ProgressBar}. */
export interface ProgressOptions {
  /** Writes raw text to the terminal (no newline added). */
  write: (text: string) => void;
  /** `plugged` or `unplugged`. */
  verb: string;
  /** Nothing is drawn before the batch has run this long (default 300 ms). */
  delayMs?: number;
  /** Least time between two redraws (default 100 ms). */
  intervalMs?: number;
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** The clock, in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Redraw on a timer too, so the elapsed time moves while nothing finishes (default true). */
  timer?: boolean;
}

const ERASE = '\r\x1b[K';

/** The bar of one batch. */
export class ProgressBar {
  private done = 0;
  private failed = 0;
  private total: number | undefined;
  private drawn = false;
  private stopped = false;
  private lastDraw = -Infinity;
  private started: number | undefined;
  private readonly now: () => number;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly width: number;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.delayMs = options.delayMs ?? 300;
    this.intervalMs = options.intervalMs ?? 100;
    this.width = options.width ?? 30;
  }

  /** The batch begins: the clock starts (nothing is drawn before). */
  start(): void {
    if (this.started !== undefined || this.stopped) return;
    this.started = this.now();
    if (this.options.timer !== false) {
      this.ticker = setInterval(() => this.draw(false), this.intervalMs);
      this.ticker.unref();
    }
  }

  /** New counts; redraws when due. */
  update(done: number, failed: number, total: number | undefined): void {
    this.done = done;
    this.failed = failed;
    this.total = total;
    this.draw(false);
  }

  /**
   * Runs `writeLine` (a line for stderr, or for stdout on the same terminal) with the bar erased,
   * so the line does not land on the bar; the bar comes back at its next redraw.
   */
  around(writeLine: () => void): void {
    this.erase();
    writeLine();
    this.draw(false);
  }

  /** Erases the bar for good (lines written after go straight through). */
  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.erase();
  }

  /** The bar's text for the current counts (without the erase sequence). */
  text(): string {
    const seconds = ((this.now() - (this.started ?? this.now())) / 1000).toFixed(1);
    const failed = this.failed > 0 ? `, ${this.failed} failed` : '';
    if (this.total === undefined || this.total === 0)
      return `${this.done - this.failed} ${this.options.verb}${failed}  ${seconds} s`;
    const filled = Math.min(this.width, Math.floor((this.done / this.total) * this.width));
    const bar = '#'.repeat(filled) + '.'.repeat(this.width - filled);
    return `[${bar}] ${this.done}/${this.total} done${failed}  ${seconds} s`;
  }

  private draw(force: boolean): void {
    const now = this.now();
    if (this.stopped || this.started === undefined || now - this.started < this.delayMs) return;
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.drawn = true;
    this.options.write(`${ERASE}${this.text()}`);
  }

  private erase(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.options.write(ERASE);
  }
}
