/**
 * Private Open vSwitch daemons for the demo, the benchmarks and the tests: a run directory of
 * their own (`/tmp/ovt…/`), a database created from the installed schema, `ovsdb-server`
 * listening on a unix socket (and optionally on 127.0.0.1), the `Open_vSwitch` row created
 * through this library's client, and optionally `ovs-vswitchd` inside a network namespace
 * (given, or a fresh anonymous one). Nothing touches the host's own OVS. This is the only place
 * in `src/` that spawns processes; every step is bounded in time and a failed start cleans up.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { OvsdbClient } from '../ovsdb/client.js';
import { VSwitch } from '../ovsdb/vswitch/index.js';
import { readPid, run, stopProcess } from './process.js';

/**
 * Daemons started by sandboxes of this process and not stopped yet. If the process exits without
 * calling `stop()` (a crashed or timed-out test), they get SIGTERM from an `exit` handler, so a
 * dying test leaves no daemon behind (the run directory is left for `scripts/test.sh` to remove).
 */
const live = new Set<number>();
let exitHookInstalled = false;
function track(pid: number | undefined): void {
  if (pid === undefined) return;
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/** The vswitch schema installed with openvswitch-switch. */
export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

/** Options of {@link OvsSandbox.start}. */
export interface SandboxOptions {
  /** Run directory (default: a fresh `/tmp/ovtXXXXXX`, removed by `stop`). */
  dir?: string;
  /** Network namespace path for ovs-vswitchd (`/run/netns/NAME`); default: a new anonymous one. */
  netns?: string;
  /** Start ovs-vswitchd too (default false). */
  vswitchd?: boolean;
  /** Also listen on `ptcp:PORT:127.0.0.1`; `true` picks a free high port. */
  tcpPort?: number | true;
  /** Schema file (default {@link VSWITCH_SCHEMA}). */
  schema?: string;
  /** Also listen on `pssl:PORT:127.0.0.1` with these PEM files (port `true`: a free high port). */
  ssl?: { port?: number | true; privateKey: string; certificate: string; caCert: string };
}

/** A running private ovsdb-server (and maybe ovs-vswitchd). */
export class OvsSandbox {
  /** The run directory. */
  readonly dir: string;
  /** `unix:<dir>/db.sock`. */
  readonly dbRemote: string;
  /** `tcp:127.0.0.1:PORT` when a TCP remote was asked for. */
  tcpRemote: string | undefined;
  /** `ssl:127.0.0.1:PORT` when an SSL remote was asked for. */
  sslRemote: string | undefined;
  /** Path of the namespace ovs-vswitchd runs in, when it runs. */
  netnsPath: string | undefined;
  /** Pid of ovsdb-server (undefined while stopped). */
  serverPid: number | undefined;
  /** Pid of ovs-vswitchd. */
  vswitchdPid: number | undefined;
  private readonly ownDir: boolean;
  private readonly env: NodeJS.ProcessEnv;
  private tcpPort: number | undefined;
  private ssl: SandboxOptions['ssl'];

  private constructor(dir: string, ownDir: boolean) {
    this.dir = dir;
    this.ownDir = ownDir;
    this.dbRemote = `unix:${path.join(dir, 'db.sock')}`;
    this.env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  }

  /** Creates the database, starts the daemons and initialises the `Open_vSwitch` row. */
  static async start(options: SandboxOptions = {}): Promise<OvsSandbox> {
    let dir = options.dir;
    if (dir) await mkdir(dir, { recursive: true });
    else dir = await mkdtemp('/tmp/ovt');
    const sb = new OvsSandbox(dir, options.dir === undefined);
    try {
      await run('ovsdb-tool', ['create', sb.file('conf.db'), options.schema ?? VSWITCH_SCHEMA], {
        env: sb.env,
      });
      if (options.tcpPort !== undefined) sb.tcpPort = options.tcpPort === true ? 0 : options.tcpPort;
      sb.ssl = options.ssl;
      await sb.startServer();
      const client = await OvsdbClient.connect(sb.dbRemote, { reconnect: false, timeoutMs: 10_000 });
      try {
        const vs = await VSwitch.open(client);
        await vs.initialize();
        await vs.close();
      } finally {
        await client.close();
      }
      if (options.vswitchd) await sb.startVswitchd(options.netns);
      return sb;
    } catch (e) {
      await sb.stop().catch(() => {});
      throw e;
    }
  }

  /** A path inside the run directory. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** (Re)starts ovsdb-server on the existing database file. */
  async startServer(): Promise<void> {
    const random = () => 20000 + Math.floor(Math.random() * 40000);
    const tries = this.tcpPort === 0 || this.ssl?.port === true || this.ssl?.port === undefined ? 5 : 1;
    for (let i = 0; i < tries; i++) {
      const port = this.tcpPort === 0 ? random() : this.tcpPort;
      const ssl = this.ssl;
      const sslPort = ssl ? (typeof ssl.port === 'number' ? ssl.port : random()) : undefined;
      const args = [
        this.file('conf.db'),
        `--remote=punix:${this.file('db.sock')}`,
        ...(port !== undefined ? [`--remote=ptcp:${port}:127.0.0.1`] : []),
        ...(ssl
          ? [
              `--remote=pssl:${sslPort}:127.0.0.1`,
              `--private-key=${ssl.privateKey}`,
              `--certificate=${ssl.certificate}`,
              `--ca-cert=${ssl.caCert}`,
            ]
          : []),
        `--pidfile=${this.file('ovsdb-server.pid')}`,
        `--unixctl=${this.file('ovsdb-server.ctl')}`,
        `--log-file=${this.file('ovsdb-server.log')}`,
        '--detach',
        '--no-chdir',
      ];
      try {
        await run('ovsdb-server', args, { env: this.env });
      } catch (e) {
        if (i === tries - 1) throw e;
        continue;
      }
      this.serverPid = await readPid(this.file('ovsdb-server.pid'));
      track(this.serverPid);
      if (port !== undefined) {
        this.tcpPort = port;
        this.tcpRemote = `tcp:127.0.0.1:${port}`;
      }
      if (ssl && sslPort !== undefined) {
        this.ssl = { ...ssl, port: sslPort };
        this.sslRemote = `ssl:127.0.0.1:${sslPort}`;
      }
      return;
    }
  }

  /** Kills ovsdb-server (SIGKILL when `hard`) and waits until it is gone. */
  async stopServer(hard = false): Promise<void> {
    const pid = this.serverPid;
    this.serverPid = undefined;
    if (pid === undefined) return;
    if (hard) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stopProcess(pid);
    live.delete(pid);
  }

  /** Starts ovs-vswitchd in `netns` (a path) or in a new anonymous namespace. */
  async startVswitchd(netns?: string): Promise<void> {
    const daemon = [
      'ovs-vswitchd',
      `unix:${this.file('db.sock')}`,
      `--pidfile=${this.file('ovs-vswitchd.pid')}`,
      `--unixctl=${this.file('ovs-vswitchd.ctl')}`,
      `--log-file=${this.file('ovs-vswitchd.log')}`,
      '--detach',
      '--no-chdir',
    ];
    const [cmd, ...args] = netns ? ['nsenter', `--net=${netns}`, ...daemon] : ['unshare', '--net', ...daemon];
    await run(cmd!, args, { env: this.env, timeoutMs: 15_000 });
    this.vswitchdPid = await readPid(this.file('ovs-vswitchd.pid'));
    track(this.vswitchdPid);
    this.netnsPath = netns ?? (this.vswitchdPid ? `/proc/${this.vswitchdPid}/ns/net` : undefined);
  }

  /** Stops ovs-vswitchd only (ovsdb-server keeps running), waiting until it is gone. */
  async stopVswitchd(): Promise<void> {
    const pid = this.vswitchdPid ?? (await readPid(this.file('ovs-vswitchd.pid')));
    this.vswitchdPid = undefined;
    if (pid === undefined) return;
    await stopProcess(pid);
    live.delete(pid);
  }

  /** Stops every daemon (by pid, waiting until gone) and removes the run directory we created. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const vpid = this.vswitchdPid ?? (await readPid(this.file('ovs-vswitchd.pid')));
    this.vswitchdPid = undefined;
    if (vpid !== undefined)
      await stopProcess(vpid).then(
        () => live.delete(vpid),
        (e) => errors.push(e),
      );
    const spid = this.serverPid ?? (await readPid(this.file('ovsdb-server.pid')));
    this.serverPid = undefined;
    if (spid !== undefined)
      await stopProcess(spid).then(
        () => live.delete(spid),
        (e) => errors.push(e),
      );
    if (this.ownDir) await rm(this.dir, { recursive: true, force: true }).catch((e) => errors.push(e));
    if (errors.length) throw new Error(`sandbox stop: ${errors.map(String).join('; ')}`);
  }
}
