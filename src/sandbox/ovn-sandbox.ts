/**
 * A private multi-chassis OVN for the demo, the benchmarks and the tests: a central namespace
 * with the NB and SB databases (standalone, or 3-member RAFT clusters) and ovn-northd; an
 * underlay namespace with a Linux bridge; and K chassis, each a namespace with its own
 * ovsdb-server, ovs-vswitchd (userspace datapath) and ovn-controller, its encap IP on an OVS
 * `br-phy` internal port whose port `phy` is a veth into the underlay bridge (Geneve through OVS
 * userspace tunnelling). Every daemon runs with its own run directory, database and control
 * sockets under `/tmp/ovt<pid>…/`, inside a namespace named `ovt<pid>o<n><role>`; nothing
 * touches the host's own OVS or OVN. `stop()` kills every daemon by pid, deletes the namespaces
 * and the directory; a failed `start` does the same before it rethrows.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { deleteNetns, Netlink, netnsPath } from '../netlink/index.js';
import { Daemons } from './daemons.js';
import { createNetnsWithLoopback } from './netns.js';
import { OvnDatabase } from './ovn-db.js';
import { OvsSandbox } from './ovs-sandbox.js';
import { run } from './process.js';

/** Options of {@link OvnSandbox.start}. */
export interface OvnSandboxOptions {
  /** Number of chassis (default 1). */
  chassis?: number;
  /** Run the NB database as a 3-member RAFT cluster (default: standalone). */
  nbCluster?: boolean;
  /** Run the SB database as a 3-member RAFT cluster (default: standalone). */
  sbCluster?: boolean;
  /**
   * Wait once for every chassis with `ovn-nbctl --wait=hv sync` at the end of the start, so the
   * first bind does not pay ovn-controller's ~1 s OpenFlow reconnect back-off (default true).
   */
  settle?: boolean;
}

/** One chassis: its namespace and daemons. */
export interface OvnChassis {
  /** `hv1`, `hv2`, … (also the OVN chassis name, `system-id`). */
  readonly name: string;
  /** Namespace name (`/run/netns/<netns>`). */
  readonly netns: string;
  /** Its ovsdb-server and ovs-vswitchd. */
  readonly ovs: OvsSandbox;
  /** `unix:` remote of its Open_vSwitch database (what the ovs plugin's `ovsdb_connection` takes). */
  readonly dbRemote: string;
  /** The Geneve encap address on its `br-phy`. */
  readonly encapIp: string;
}

let sandboxCount = 0;

/** A running OVN sandbox. */
export class OvnSandbox {
  /** The run directory. */
  readonly dir: string;
  /** Prefix of every namespace name of this sandbox (`ovt<pid>o<n>`). */
  readonly prefix: string;
  /** The central namespace (databases and northd). */
  readonly centralNetns: string;
  /** The underlay namespace (Linux bridge `ul0`). */
  readonly underlayNetns: string;
  readonly chassis: OvnChassis[] = [];
  nb!: OvnDatabase;
  sb!: OvnDatabase;
  private readonly daemons = new Daemons();
  private readonly namespaces: string[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private stopped = false;

  private constructor(dir: string) {
    this.dir = dir;
    this.prefix = `ovt${process.pid}o${sandboxCount++}`;
    this.centralNetns = `${this.prefix}c`;
    this.underlayNetns = `${this.prefix}u`;
    const central = path.join(dir, 'central');
    this.env = {
      ...process.env,
      OVS_RUNDIR: central,
      OVS_LOGDIR: central,
      OVS_DBDIR: central,
      OVS_SYSCONFDIR: central,
      OVN_RUNDIR: central,
      OVN_LOGDIR: central,
      OVN_DBDIR: central,
      OVN_SYSCONFDIR: central,
    };
  }

  /** Starts everything; on any failure stops what was started and rethrows. */
  static async start(options: OvnSandboxOptions = {}): Promise<OvnSandbox> {
    const sb = new OvnSandbox(await mkdtemp(`/tmp/ovt${process.pid}n`));
    try {
      await mkdir(path.join(sb.dir, 'central'));
      await sb.namespace(sb.centralNetns);
      await sb.namespace(sb.underlayNetns);
      const ul = await Netlink.open({ netns: sb.underlayNetns });
      try {
        await ul.links.add({ kind: 'bridge', name: 'ul0', up: true });
      } finally {
        ul.close();
      }
      const central = path.join(sb.dir, 'central');
      const cns = netnsPath(sb.centralNetns);
      sb.nb = await OvnDatabase.start('nb', options.nbCluster ? 3 : 1, central, cns, sb.daemons, sb.env);
      sb.sb = await OvnDatabase.start('sb', options.sbCluster ? 3 : 1, central, cns, sb.daemons, sb.env);
      await sb.startNorthd();
      await sb.nbctl('init');
      const n = options.chassis ?? 1;
      for (let i = 1; i <= n; i++) await sb.addChassis(i);
      if (options.settle ?? true) await sb.nbctl('--wait=hv', 'sync');
      return sb;
    } catch (e) {
      await sb.stop().catch(() => {});
      throw e;
    }
  }

  /** `NB` remote list (unix sockets of every member). */
  get nbRemote(): string {
    return this.nb.remote;
  }

  /** `SB` remote list (unix sockets of every member). */
  get sbRemote(): string {
    return this.sb.remote;
  }

  /** (Re)starts ovn-northd on both databases' remote lists. */
  async startNorthd(): Promise<void> {
    const central = path.join(this.dir, 'central');
    await this.daemons.start(
      'northd',
      netnsPath(this.centralNetns),
      'ovn-northd',
      [
        `--ovnnb-db=${this.nb.remote}`,
        `--ovnsb-db=${this.sb.remote}`,
        `--pidfile=${path.join(central, 'northd.pid')}`,
        `--unixctl=${path.join(central, 'northd.ctl')}`,
        `--log-file=${path.join(central, 'northd.log')}`,
        '--detach',
        '--no-chdir',
      ],
      path.join(central, 'northd.pid'),
      this.env,
    );
  }

  /** Runs `ovn-nbctl` on the NB remotes (bounded: `--timeout=30`); resolves with its stdout. */
  nbctl(...args: string[]): Promise<string> {
    return run('ovn-nbctl', [`--db=${this.nb.remote}`, '--timeout=30', ...args], {
      env: this.env,
      timeoutMs: 40_000,
    });
  }

  /** Runs `ovn-sbctl` on the SB remotes (bounded: `--timeout=30`). */
  sbctl(...args: string[]): Promise<string> {
    return run('ovn-sbctl', [`--db=${this.sb.remote}`, '--timeout=30', ...args], {
      env: this.env,
      timeoutMs: 40_000,
    });
  }

  /** Creates a namespace that {@link OvnSandbox.stop} deletes (guests too). */
  async namespace(name: string): Promise<string> {
    await createNetnsWithLoopback(name);
    this.namespaces.push(name);
    return name;
  }

  /** Registers a namespace made by someone else (a guest) for deletion by {@link OvnSandbox.stop}. */
  adopt(netns: string): void {
    this.namespaces.push(netns);
  }

  /** Adds chassis `hv<i>`: namespace, underlay link, OVS, br-phy with the encap IP, ovn-controller. */
  private async addChassis(i: number): Promise<void> {
    const name = `hv${i}`;
    const netns = await this.namespace(`${this.prefix}h${i}`);
    const ul = await Netlink.open({ netns: this.underlayNetns });
    try {
      await ul.links.add({
        kind: 'veth',
        name: `ul${i}`,
        peer: { name: 'phy', netns },
        master: 'ul0',
        up: true,
      });
    } finally {
      ul.close();
    }
    const dir = path.join(this.dir, name);
    const ovs = await OvsSandbox.start({ dir, vswitchd: true, netns: netnsPath(netns) });
    const encapIp = `10.99.255.${i}`;
    const chassis: OvnChassis = { name, netns, ovs, dbRemote: ovs.dbRemote, encapIp };
    this.chassis.push(chassis);
    const ids = {
      'system-id': name,
      hostname: name,
      'ovn-remote': this.sb.remote,
      'ovn-encap-type': 'geneve',
      'ovn-encap-ip': encapIp,
      'ovn-bridge-datapath-type': 'netdev',
    };
    await run(
      'ovs-vsctl',
      [
        `--db=${ovs.dbRemote}`,
        '--timeout=30',
        '--',
        'add-br',
        'br-phy',
        '--',
        'set',
        'bridge',
        'br-phy',
        'datapath_type=netdev',
        '--',
        'add-port',
        'br-phy',
        'phy',
        '--',
        'set',
        'open_vswitch',
        '.',
        ...Object.entries(ids).map(([k, v]) => `external_ids:${k}="${v}"`),
      ],
      { env: { ...this.env, OVS_RUNDIR: dir }, timeoutMs: 40_000 },
    );
    const nl = await Netlink.open({ netns });
    try {
      const deadline = Date.now() + 15_000;
      while (!(await nl.links.get('br-phy'))) {
        if (Date.now() > deadline) throw new Error(`${name}: ovs-vswitchd made no br-phy device`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await nl.links.set('phy', { up: true });
      await nl.links.set('br-phy', { up: true });
      await nl.addresses.add({ interface: 'br-phy', address: `${encapIp}/24` });
    } finally {
      nl.close();
    }
    await this.daemons.start(
      `${name}/ovn-controller`,
      netnsPath(netns),
      'ovn-controller',
      [
        ovs.dbRemote,
        `--pidfile=${path.join(dir, 'ovn-controller.pid')}`,
        `--log-file=${path.join(dir, 'ovn-controller.log')}`,
        '--detach',
        '--no-chdir',
      ],
      path.join(dir, 'ovn-controller.pid'),
      { ...this.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVN_RUNDIR: dir, OVN_LOGDIR: dir, OVN_DBDIR: dir },
    );
  }

  /** Stops every daemon (ovn-controllers, northd, databases, each chassis' OVS), the namespaces, the directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const problems = await this.daemons.stopAll();
    for (const c of this.chassis.splice(0).reverse())
      await c.ovs.stop().catch((e: unknown) => problems.push(`${c.name}: ${String(e)}`));
    for (const ns of this.namespaces.splice(0).reverse())
      await deleteNetns(ns).catch((e: unknown) => problems.push(`netns ${ns}: ${String(e)}`));
    await rm(this.dir, { recursive: true, force: true }).catch((e: unknown) => problems.push(String(e)));
    if (problems.length) throw new Error(`OVN sandbox stop: ${problems.join('; ')}`);
  }
}
