/**
 * One method's sandbox: a fresh network namespace `ovt<pid>b<n>`, for the OVS kinds a private
 * ovsdb-server and ovs-vswitchd (userspace datapath) in it with the integration bridge made
 * (untimed, as on a compute host), a scratch directory, and the hypervisor's part: the taps
 * libvirt makes, before plug for plain OVS ports and after plug, inside the bridge, for hybrid
 * and linux_bridge VIFs. Everything is removed by {@link BenchSandbox.close}, also after a
 * failure half-way.
 *
 * The kernel tears a deleted namespace down in the background, taking the rtnl lock again and
 * again for as long as it has devices to unregister; a method timed meanwhile waits ~16 ms on
 * its first rtnl request of each VIF (seen here: 18 ms per linux_bridge VIF instead of 1.7).
 * So `close` deletes the devices itself, in one request that returns when they are gone, and
 * `open` waits until rtnl answers promptly before anything is timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createNetns, deleteNetns, Netlink, netnsPath } from '../netlink/index.js';
import { OvsdbClient, VSwitch } from '../ovsdb/index.js';
import { OvsSandbox } from '../sandbox/index.js';
import { BENCH_BRIDGE, BENCH_MTU, benchInstance, benchVifs, lbBridge, vifNames } from './fixtures.js';
import type { BenchContext, Kind } from './types.js';

let opened = 0;

/** Device group of everything `close` deletes (any number but 0, the default group). */
const TEARDOWN_GROUP = 0x0b7d;
/** A quiet kernel: this many rtnl probes in a row, each answered within `SETTLED_MS`. */
const SETTLED_PROBES = 5;
const SETTLED_MS = 2;
const PROBE_GAP_MS = 20;
/** Give up waiting for a quiet kernel after this long (and measure anyway). */
const SETTLE_LIMIT_MS = 60_000;

/**
 * Waits until rtnl requests in `nl`'s namespace are answered promptly (setting `lo` up takes the
 * lock even when nothing changes); returns how long it waited.
 */
async function settle(nl: Netlink): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < SETTLED_PROBES && performance.now() - t0 < SETTLE_LIMIT_MS) {
    const p0 = performance.now();
    await nl.links.set('lo', { up: true });
    quiet = performance.now() - p0 <= SETTLED_MS ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, PROBE_GAP_MS));
  }
  return performance.now() - t0;
}

/** The namespace, daemons and files of one method's run. */
export class BenchSandbox {
  private constructor(
    readonly ctx: BenchContext,
    private readonly ovs: OvsSandbox | undefined,
    /** How long `open` waited for the kernel to finish tearing earlier namespaces down. */
    readonly settledMs: number,
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
      let settledMs: number;
      const nl = await Netlink.open({ netns: ns });
      try {
        settledMs = await settle(nl); // its probes bring lo up
      } finally {
        nl.close();
      }
      if (kind !== 'linux_bridge') {
        ovs = await OvsSandbox.start({ vswitchd: true, netns: netnsPath(ns) });
        const client = await OvsdbClient.connect(ovs.dbRemote, { reconnect: false, timeoutMs: 30_000 });
        try {
          const vs = await VSwitch.open(client);
          await vs.ensureBridge(BENCH_BRIDGE, { datapathType: 'netdev' });
          // ovs-vswitchd makes the userspace datapath and its bridge port (~100 ms): done
          // before anything is timed, as on a compute host where br-int is long there
          await vs.waitForOfport(BENCH_BRIDGE, 30_000);
          await vs.waitApplied(30_000);
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
      const box = new BenchSandbox(ctx, ovs, settledMs);
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

  /**
   * Stops the daemons, deletes every device of the namespace (one group delete, done when it
   * returns), the namespace and the scratch files.
   */
  async close(): Promise<void> {
    const problems: string[] = [];
    await this.ovs?.stop().catch((e: unknown) => problems.push(String(e)));
    await this.deleteDevices().catch((e: unknown) => problems.push(String(e)));
    await deleteNetns(this.ctx.ns).catch((e: unknown) => problems.push(String(e)));
    await rm(this.ctx.workDir, { recursive: true, force: true }).catch((e: unknown) =>
      problems.push(String(e)),
    );
    if (problems.length > 0) throw new Error(`bench sandbox ${this.ctx.ns}: ${problems.join('; ')}`);
  }

  private async deleteDevices(): Promise<void> {
    const nl = await Netlink.open({ netns: this.ctx.ns });
    try {
      const devices = (await nl.links.list()).filter((l) => l.name !== 'lo');
      if (devices.length === 0) return;
      await Promise.all(devices.map((l) => nl.links.set(l.index, { group: TEARDOWN_GROUP })));
      await nl.links.del({ group: TEARDOWN_GROUP });
    } finally {
      nl.close();
    }
  }
}
