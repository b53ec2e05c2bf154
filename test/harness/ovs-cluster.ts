/**
 * A 3-member clustered OVSDB (RAFT) on 127.0.0.1 for tests: random high ports, a run directory
 * `/tmp/ovt…/`, the election timer lowered to 200 ms so failover is quick, and helpers to find,
 * kill and restart members. Stops every member by pid and removes the directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readPid, stopProcess } from '../../src/sandbox/process.js';
import { trySh } from './netns.js';

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

/** A running cluster. */
export class OvsCluster {
  readonly dir: string;
  readonly size: number;
  /** Client ports (member i listens on base+i) and RAFT ports (base+10+i). */
  readonly base: number;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(dir: string, size: number, base: number) {
    this.dir = dir;
    this.size = size;
    this.base = base;
    this.env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
  }

  /** Creates, starts and waits for all members, then lowers the election timer. */
  static async start(size = 3): Promise<OvsCluster> {
    const dir = mkdtempSync('/tmp/ovtcl');
    const base = 30000 + Math.floor(Math.random() * 300) * 100;
    const c = new OvsCluster(dir, size, base);
    try {
      c.run('ovsdb-tool', ['create-cluster', c.file(1, 'db'), SCHEMA, c.raft(1)]);
      for (let i = 2; i <= size; i++)
        c.run('ovsdb-tool', ['join-cluster', c.file(i, 'db'), 'Open_vSwitch', c.raft(i), c.raft(1)]);
      for (let i = 1; i <= size; i++) c.startMember(i);
      await c.waitUntil(
        () => c.members().every((i) => /^Status: cluster member$/m.test(c.status(i))),
        10_000,
        'all members joined',
      );
      const leader = await c.leader();
      c.run('ovs-appctl', [
        '-t',
        c.file(leader, 'ctl'),
        'cluster/change-election-timer',
        'Open_vSwitch',
        '500',
      ]);
      await c.waitUntil(
        () => c.members().every((i) => /Election timer: 500$/m.test(c.status(i))),
        10_000,
        'timer 500',
      );
      const leader2 = await c.leader();
      c.run('ovs-appctl', [
        '-t',
        c.file(leader2, 'ctl'),
        'cluster/change-election-timer',
        'Open_vSwitch',
        '200',
      ]);
      await c.waitUntil(
        () => c.members().every((i) => /Election timer: 200$/m.test(c.status(i))),
        10_000,
        'timer 200',
      );
      return c;
    } catch (e) {
      await c.stop();
      throw e;
    }
  }

  /** The comma-separated client remotes of all members. */
  get remotes(): string {
    return this.members()
      .map((i) => this.remote(i))
      .join(',');
  }

  /** `tcp:127.0.0.1:PORT` of member i. */
  remote(i: number): string {
    return `tcp:127.0.0.1:${this.base + i}`;
  }

  /** `unix:` socket of member i. */
  unix(i: number): string {
    return `unix:${this.file(i, 'sock')}`;
  }

  /** 1..size. */
  members(): number[] {
    return Array.from({ length: this.size }, (_, i) => i + 1);
  }

  /** `cluster/status` text of member i ('' when it does not answer). */
  status(i: number): string {
    return trySh('ovs-appctl', ['-t', this.file(i, 'ctl'), '--timeout=2', 'cluster/status', 'Open_vSwitch'])
      .stdout;
  }

  /** Waits until some member says `Role: leader`; returns its number. */
  async leader(timeoutMs = 10_000): Promise<number> {
    let found = 0;
    await this.waitUntil(
      () => {
        found = this.members().find((i) => /^Role: leader$/m.test(this.status(i))) ?? 0;
        return found > 0;
      },
      timeoutMs,
      'a leader',
    );
    return found;
  }

  /** SIGKILLs member i and waits until it is gone. */
  async kill(i: number): Promise<void> {
    const pid = await readPid(this.file(i, 'pid'));
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await stopProcess(pid);
  }

  /** (Re)starts member i. */
  startMember(i: number): void {
    this.run('ovsdb-server', [
      this.file(i, 'db'),
      `--remote=punix:${this.file(i, 'sock')}`,
      `--remote=ptcp:${this.base + i}:127.0.0.1`,
      `--pidfile=${this.file(i, 'pid')}`,
      `--unixctl=${this.file(i, 'ctl')}`,
      `--log-file=${this.file(i, 'log')}`,
      '--detach',
      '--no-chdir',
    ]);
  }

  /** Stops every member by pid and removes the directory. */
  async stop(): Promise<void> {
    for (const i of this.members()) {
      const pid = await readPid(this.file(i, 'pid'));
      if (pid !== undefined) await stopProcess(pid).catch(() => {});
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Polls `pred` every 20 ms until true or `timeoutMs`. */
  async waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`cluster: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private raft(i: number): string {
    return `tcp:127.0.0.1:${this.base + 10 + i}`;
  }

  private file(i: number, ext: string): string {
    return path.join(this.dir, `s${i}.${ext}`);
  }

  private run(cmd: string, args: string[]): string {
    return execFileSync(cmd, args, {
      env: this.env,
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
}
