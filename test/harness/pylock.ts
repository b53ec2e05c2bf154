/**
 * Python's side of the lock interoperability tests: oslo.concurrency (installed with
 * `python3-os-vif`) taking an os-vif lock through `pylock.py`, with OSLO_LOCK_PATH set.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trySh } from './netns.js';

const SCRIPT = fileURLToPath(new URL('../../../test/harness/pylock.py', import.meta.url));

/** True when /usr/bin/python3 can import oslo_concurrency. */
export const hasOsloConcurrency =
  trySh('/usr/bin/python3', ['-c', 'import oslo_concurrency.lockutils']).status === 0;

/** A Python process holding lock `name` in `lockPath`. */
export class PythonLockHolder {
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private closed = false;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const wake = () => {
      for (const w of this.waiters.splice(0)) w();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      wake();
    });
    child.on('close', () => {
      this.closed = true;
      wake();
    });
  }

  /** Starts Python and resolves once it holds the lock. */
  static async hold(lockPath: string, name: string): Promise<PythonLockHolder> {
    const child = spawn('/usr/bin/python3', [SCRIPT, 'hold', name], {
      env: { ...process.env, OSLO_LOCK_PATH: lockPath },
    });
    const holder = new PythonLockHolder(child);
    await holder.line('held');
    return holder;
  }

  /** Tells Python to release; resolves once it has. */
  async release(): Promise<void> {
    this.child.stdin.end('release\n');
    await this.line('released');
  }

  /** Ends the process (teardown). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private async line(want: string): Promise<void> {
    for (;;) {
      if (this.lines.includes(want)) return;
      if (this.closed) throw new Error(`pylock.py exited ${this.child.exitCode} before "${want}"`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** Whether Python could take lock `name` in `lockPath` at once: 'free' or 'busy'. */
export function pythonTryLock(lockPath: string, name: string): string {
  const r = trySh('env', [`OSLO_LOCK_PATH=${lockPath}`, '/usr/bin/python3', SCRIPT, 'try', name]);
  if (r.status !== 0) throw new Error(`pylock.py try failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Resolves once `check()` is true, polling every few milliseconds (at most `limit` tries). */
export async function until(check: () => boolean, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}
