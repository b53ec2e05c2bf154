/**
 * A set of detached daemons started by one sandbox: each is started with an argument array
 * (never a shell) inside a network namespace (`nsenter --net=PATH`), its pid read from its
 * pidfile, and stopped by pid in reverse start order. Pids still alive when the Node process
 * exits get SIGTERM from an `exit` handler, so a crashed test leaves no daemon behind.
 */
import { readPid, run, stopProcess } from './process.js';

const everyLive = new Set<number>();
let hooked = false;
function remember(pid: number): void {
  everyLive.add(pid);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of everyLive) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/** One started daemon. */
export interface Daemon {
  /** A short role name (`nb1`, `northd`, `hv2/ovn-controller`). */
  readonly role: string;
  readonly pid: number;
  readonly pidfile: string;
}

/** The daemons of one sandbox, stopped together. */
export class Daemons {
  private readonly list: Daemon[] = [];

  /**
   * Runs `cmd args` (a daemon that detaches and writes `pidfile`) inside namespace `netns` (a
   * path), waits for the pidfile and remembers the pid.
   */
  async start(
    role: string,
    netns: string,
    cmd: string,
    args: string[],
    pidfile: string,
    env: NodeJS.ProcessEnv,
  ): Promise<Daemon> {
    await run('nsenter', [`--net=${netns}`, cmd, ...args], { env, timeoutMs: 20_000 });
    const pid = await readPid(pidfile);
    if (pid === undefined) throw new Error(`${role}: ${cmd} wrote no pidfile ${pidfile}`);
    remember(pid);
    const d = { role, pid, pidfile };
    this.list.push(d);
    return d;
  }

  /** The live daemon of that role, if any. */
  get(role: string): Daemon | undefined {
    return this.list.find((d) => d.role === role);
  }

  /** Stops one daemon (SIGKILL first when `hard`) and forgets it. */
  async stop(role: string, hard = false): Promise<void> {
    const i = this.list.findIndex((d) => d.role === role);
    if (i < 0) return;
    const [d] = this.list.splice(i, 1);
    if (!d) return;
    if (hard) {
      try {
        process.kill(d.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stopProcess(d.pid);
    everyLive.delete(d.pid);
  }

  /** Stops every daemon, newest first; returns the problems (never throws). */
  async stopAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const d of [...this.list].reverse()) {
      await this.stop(d.role).catch((e: unknown) => problems.push(`${d.role}: ${String(e)}`));
    }
    return problems;
  }
}
