/**
 * One method's sandbox: a fresh network namespace `ovt<pid>b<n>`, for the OVS kinds a private
 * ovsdb-server and ovs-vswitchd (userspace datapath) in it with the integration bridge made
 * (untimed, as on a compute host), a scratch directory, and the hypervisor's part: the taps
 * libvirt makes, before plug for plain OVS ports and after plug, inside the bridge, for hybrid
 * and linux_bridge VIFs. Everything is removed by {@link BenchSandbox.close}, also after a
 * failure half-way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createNetns, deleteNetns, Netlink, netnsPath } from '../netlink/index.js';
import { OvsdbClient, VSwitch } from '../ovsdb/index.js';
import { OvsSandbox } from '../sandbox/index.js';
import { BENCH_BRIDGE, BENCH_MTU, benchInstance, benchVifs, lbBridge, vifNames } from './fixtures.js';
import type { BenchContext, Kind } from './types.js';

let opened = 0;

/** The namespace, daemons and files of one method's run. */
export class BenchSandbox {
  private constructor(
    readonly ctx: BenchContext,
    private readonly ovs: OvsSandbox | undefined,
  ) {}

  /** Builds the sandbox for `n` VIFs of `kind`; nothing is left when this fails. */
  static async open(kind: Kind, n: number): Promise<BenchSandbox> {
    const ns = `ovt${process.pid}b${opened++}`;
    const workDir = await mkdtemp('/tmp/ovtbench');
    let ovs: OvsSandbox | undefined;
    let nsMade = false;
    try {
      await createNetns(ns);
      nsMade = true;
      const nl = await Netlink.open({ netns: ns });
      try {
        await nl.links.set('lo', { up: true });
      } finally {
        nl.close();
      }
      if (kind !== 'linux_bridge') {
        ovs = await OvsSandbox.start({ vswitchd: true, netns: netnsPath(ns) });
        const client = await OvsdbClient.connect(ovs.dbRemote, { reconnect: false, timeoutMs: 30_000 });
        try {
          const vs = await VSwitch.open(client);
          await vs.ensureBridge(BENCH_BRIDGE, { datapathType: 'netdev' });
          await vs.close();
        } finally {
          await client.close();
        }
      }
      const lockPath = `${workDir}/locks`;
      const ctx: BenchContext = {
        kind,
        n,
        ns,
        dbRemote: ovs?.dbRemote,
        lockPath,
        workDir,
        bridge: BENCH_BRIDGE,
        mtu: BENCH_MTU,
        vifs: benchVifs(kind, n),
        instance: benchInstance(),
        config: {
          ...(ovs ? { os_vif_ovs: { ovsdb_connection: ovs.dbRemote } } : {}),
          oslo_concurrency: { lock_path: lockPath },
        },
      };
      const box = new BenchSandbox(ctx, ovs);
      if (kind === 'plain') await box.hypervisorTaps(false);
      return box;
    } catch (error) {
      await ovs?.stop().catch(() => undefined);
      if (nsMade) await deleteNetns(ns).catch(() => undefined);
      await rm(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * What the hypervisor does. Plain OVS: a tap per VIF before plug, at the default MTU (the
   * plug sets the network's). Hybrid and linux_bridge (after plug): the guest tap, up, at the
   * network's MTU, inside the VIF's bridge, as libvirt does when the domain starts.
   */
  async hypervisorTaps(intoBridge: boolean): Promise<void> {
    const { ns, n, kind } = this.ctx;
    const nl = await Netlink.open({ netns: ns });
    try {
      await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const tap = vifNames(i).tap;
          if (!intoBridge) return nl.links.add({ kind: 'tap', name: tap, up: true });
          const master = kind === 'hybrid' ? vifNames(i).bridge : lbBridge(i);
          return nl.links.add({ kind: 'tap', name: tap, up: true, mtu: BENCH_MTU, master });
        }),
      );
    } finally {
      nl.close();
    }
  }

  /** Stops the daemons, deletes the namespace (and every device in it) and the scratch files. */
  async close(): Promise<void> {
    const problems: string[] = [];
    await this.ovs?.stop().catch((e: unknown) => problems.push(String(e)));
    await deleteNetns(this.ctx.ns).catch((e: unknown) => problems.push(String(e)));
    await rm(this.ctx.workDir, { recursive: true, force: true }).catch((e: unknown) =>
      problems.push(String(e)),
    );
    if (problems.length > 0) throw new Error(`bench sandbox ${this.ctx.ns}: ${problems.join('; ')}`);
  }
}
