/**
 * Process helpers for the sandbox: run a program with an argument array (never a shell), read a
 * pidfile, and stop a daemon by pid, waiting until it is really gone. A killed detached daemon
 * is reparented to pid 1, which may reap it late: it then lingers as a zombie that still passes
 * `kill -0`, so "gone" means no `/proc/PID` or state `Z` in `/proc/PID/stat`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Runs `cmd args...` with a time limit; resolves with stdout, rejects with stderr in the message. */
export function run(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env: options.env, timeout: options.timeoutMs ?? 10_000, killSignal: 'SIGKILL', encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The pid in a pidfile, or undefined when there is none. */
export async function readPid(file: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** True when process `pid` no longer runs (absent or a zombie). */
export async function isGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the state letter follows the ")" that closes the command name
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Waits until `pid` is gone; false when it is still there after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return isGone(pid);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL and wait again. Resolves when the process is gone. */
export async function stopProcess(pid: number, graceMs = 3000): Promise<void> {
  if (await isGone(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitGone(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitGone(pid, graceMs))) throw new Error(`process ${pid} survived SIGKILL`);
}
