/** The test side of lock-worker.ts: one worker process, its requests answered in order. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./lock-worker.js', import.meta.url));

/** One lock-worker.ts process: requests answered in order. */
export class Worker {
  private readonly pending: ((line: string) => void)[] = [];
  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on('line', (line) => this.pending.shift()?.(line));
    child.on('close', () => {
      for (const p of this.pending.splice(0)) p(JSON.stringify({ ok: false, error: 'worker exited' }));
    });
  }
  static start(): Worker {
    return new Worker(spawn(process.execPath, [WORKER], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }
  call(request: Record<string, unknown>): Promise<{ ok: boolean; error?: string }> {
    return new Promise((resolve) => {
      this.pending.push((line) => resolve(JSON.parse(line)));
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }
  stop(): void {
    this.child.stdin.end();
  }
}
