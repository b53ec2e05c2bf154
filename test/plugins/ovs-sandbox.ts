/**
 * A private ovsdb-server and ovs-vswitchd (userspace datapath) inside a test namespace, with a
 * run directory `/tmp/ovt<pid>o<n>/`, stopped by pid afterwards. TEMPORARY: the plugin tests use
 * this until `src/sandbox` (OvsSandbox) lands; the recipe is test-environment.md §2.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { sh, TestNetns, trySh } from '../harness/netns.js';

let counter = 0;

/** True when Open vSwitch's binaries are installed. */
export const hasOvs = trySh('sh', ['-c', 'command -v ovsdb-server && command -v ovs-vswitchd']).status === 0;

/** A running private OVS. */
export class TestOvs {
  private constructor(
    readonly ns: TestNetns,
    readonly dir: string,
    readonly withVswitchd: boolean,
  ) {}

  /** `unix:` remote of the database. */
  get remote(): string {
    return `unix:${this.dir}/db.sock`;
  }

  /** Starts the daemons in a fresh namespace. */
  static async start(options: { vswitchd?: boolean } = {}): Promise<TestOvs> {
    const ns = TestNetns.create();
    const dir = `/tmp/ovt${process.pid}o${counter++}`;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const ovs = new TestOvs(ns, dir, options.vswitchd ?? true);
    try {
      const env = `OVS_RUNDIR=${dir} OVS_LOGDIR=${dir} OVS_DBDIR=${dir} OVS_SYSCONFDIR=${dir}`;
      sh('ovsdb-tool', ['create', `${dir}/conf.db`, '/usr/share/openvswitch/vswitch.ovsschema']);
      sh('sh', [
        '-c',
        `${env} ip netns exec ${ns.name} ovsdb-server ${dir}/conf.db --remote=punix:${dir}/db.sock ` +
          `--pidfile=${dir}/ovsdb-server.pid --unixctl=${dir}/ovsdb-server.ctl --log-file=${dir}/ovsdb-server.log --detach --no-chdir`,
      ]);
      ovs.vsctl('--no-wait', 'init');
      if (ovs.withVswitchd) {
        sh('sh', [
          '-c',
          `${env} ip netns exec ${ns.name} ovs-vswitchd ${ovs.remote} --pidfile=${dir}/ovs-vswitchd.pid ` +
            `--unixctl=${dir}/ovs-vswitchd.ctl --log-file=${dir}/ovs-vswitchd.log --detach --no-chdir`,
        ]);
      }
      return ovs;
    } catch (error) {
      await ovs.stop();
      throw error;
    }
  }

  /** `ovs-vsctl --db=... --timeout=10 ARGS`. */
  vsctl(...args: string[]): string {
    return sh('ovs-vsctl', [`--db=${this.remote}`, '--timeout=10', ...args]);
  }

  /** Rows of a table as objects (`ovs-vsctl --format=json list`), values decoded to plain JSON. */
  list(table: string, record?: string): Record<string, unknown>[] {
    const r = trySh('ovs-vsctl', [
      `--db=${this.remote}`,
      '--format=json',
      'list',
      table,
      ...(record ? [record] : []),
    ]);
    if (r.status !== 0) return [];
    const { headings, data } = JSON.parse(r.stdout) as { headings: string[]; data: unknown[][] };
    return data.map((row) => Object.fromEntries(headings.map((h, i) => [h, decode(row[i])])));
  }

  /** Pid of a daemon, or undefined. */
  pid(daemon: 'ovsdb-server' | 'ovs-vswitchd'): number | undefined {
    const file = `${this.dir}/${daemon}.pid`;
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /** Kills one daemon by pid and waits until it is gone (or a zombie). */
  async kill(daemon: 'ovsdb-server' | 'ovs-vswitchd'): Promise<void> {
    const pid = this.pid(daemon);
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 300 && alive(pid); i++) await sleep(10);
    rmSync(`${this.dir}/${daemon}.pid`, { force: true });
  }

  /** Stops both daemons, deletes the namespace and the run directory. */
  async stop(): Promise<void> {
    await this.kill('ovs-vswitchd');
    await this.kill('ovsdb-server');
    this.ns.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** OVSDB JSON values (`["set",[..]]`, `["map",[..]]`, `["uuid",..]`) to plain JSON. */
export function decode(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v[0] === 'set') return (v[1] as unknown[]).map(decode);
  if (v[0] === 'map')
    return Object.fromEntries((v[1] as [unknown, unknown][]).map(([k, x]) => [k, decode(x)]));
  if (v[0] === 'uuid' || v[0] === 'named-uuid') return `uuid:${v[1]}`;
  return v;
}
