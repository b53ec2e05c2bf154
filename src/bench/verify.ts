/**
 * The checks that make a time count: after plug, every VIF's devices are there with the right
 * kind, master, MTU, state and bridge sysctls (not IFF_PROMISC of the veth ends: os-vif 3.0.0
 * asks for it and its netlink layer clears it, docs/plugins.md), and (OVS kinds) its port is on the integration
 * bridge with os-vif's external_ids and an `ofport` that ovs-vswitchd set; after unplug, what
 * os-vif removes is gone. One link dump and one replica read per check, never timed. Returns
 * the problems found (at most a few named, then a count), empty when all is right.
 */
import { type Link, Netlink, netnsPath, Sysctl } from '../netlink/index.js';
import { OvsdbClient, VSwitch } from '../ovsdb/index.js';
import { BENCH_INSTANCE_UUID, lbBridge, vifNames } from './fixtures.js';
import type { BenchContext } from './types.js';

const SHOWN = 5;

class Problems {
  readonly list: string[] = [];
  count = 0;
  add(text: string): void {
    this.count++;
    if (this.list.length < SHOWN) this.list.push(text);
  }
  result(): string[] {
    return this.count > SHOWN ? [...this.list, `… ${this.count - SHOWN} more`] : this.list;
  }
}

interface Seen {
  links: Map<string, Link>;
  byIndex: Map<number, Link>;
  vs: VSwitch | undefined;
}

async function look<T>(ctx: BenchContext, fn: (seen: Seen) => Promise<T>): Promise<T> {
  const nl = await Netlink.open({ netns: ctx.ns });
  const client = ctx.dbRemote ? await OvsdbClient.connect(ctx.dbRemote, { reconnect: false }) : undefined;
  try {
    const all = await nl.links.list();
    const vs = client ? await VSwitch.open(client) : undefined;
    try {
      return await fn({
        links: new Map(all.map((l) => [l.name, l])),
        byIndex: new Map(all.map((l) => [l.index, l])),
        vs,
      });
    } finally {
      await vs?.close();
    }
  } finally {
    nl.close();
    await client?.close();
  }
}

function device(
  seen: Seen,
  p: Problems,
  name: string,
  want: { kind: string; master?: string | null; mtu?: number; up?: boolean },
): void {
  const link = seen.links.get(name);
  if (!link) {
    p.add(`${name}: missing`);
    return;
  }
  if (link.kind !== want.kind) p.add(`${name}: kind ${link.kind}, expected ${want.kind}`);
  if (want.master !== undefined) {
    const master =
      link.master === undefined ? null : (seen.byIndex.get(link.master)?.name ?? `#${link.master}`);
    if (master !== want.master) p.add(`${name}: master ${master}, expected ${want.master}`);
  }
  if (want.mtu !== undefined && link.mtu !== want.mtu)
    p.add(`${name}: MTU ${link.mtu}, expected ${want.mtu}`);
  if (want.up !== undefined && link.up !== want.up) p.add(`${name}: ${link.up ? 'up' : 'down'}`);
}

function absent(seen: Seen, p: Problems, name: string): void {
  if (seen.links.has(name)) p.add(`${name}: still there`);
}

function ovsPort(ctx: BenchContext, seen: Seen, p: Problems, port: string, i: number): void {
  const vs = seen.vs as VSwitch;
  const names = vifNames(i);
  const iface = vs.findInterface(port);
  if (!iface) {
    p.add(`OVS interface ${port}: missing`);
    return;
  }
  if (iface.bridge !== ctx.bridge) p.add(`OVS port ${port}: on ${iface.bridge}, expected ${ctx.bridge}`);
  const ids = iface.externalIds;
  const want = {
    'iface-id': names.id,
    'iface-status': 'active',
    'attached-mac': names.address,
    'vm-uuid': BENCH_INSTANCE_UUID,
  };
  for (const [key, value] of Object.entries(want))
    if (ids[key] !== value)
      p.add(`OVS interface ${port}: external_ids:${key}=${ids[key]}, expected ${value}`);
  if (!iface.ofport || iface.ofport <= 0)
    p.add(`OVS interface ${port}: ofport ${iface.ofport} (not attached)`);
}

function noOvsPort(seen: Seen, p: Problems, port: string): void {
  if (seen.vs?.findPort(port) || seen.vs?.findInterface(port)) p.add(`OVS port ${port}: still there`);
}

async function bridgeSysctls(ctx: BenchContext, p: Problems, bridges: string[]): Promise<void> {
  const sysctl = new Sysctl(netnsPath(ctx.ns));
  const want: [string, string][] = [
    ['ipv6/conf/%/disable_ipv6', '1'],
    ['ipv4/conf/%/arp_ignore', '1'],
    ['ipv4/conf/%/arp_announce', '2'],
  ];
  const reads = bridges.flatMap((bridge) =>
    want.map(async ([path, value]) => {
      const key = path.replace('%', bridge);
      const got = await sysctl.get(key).catch((e: unknown) => `unreadable (${String(e)})`);
      if (got !== value) p.add(`${bridge}: ${key} = ${got}, expected ${value}`);
    }),
  );
  await Promise.all(reads);
}

/** Problems with the sandbox's state after a plug of every VIF (and the hypervisor's taps). */
export function verifyPlugged(ctx: BenchContext): Promise<string[]> {
  return look(ctx, async (seen) => {
    const p = new Problems();
    const bridges: string[] = [];
    for (let i = 0; i < ctx.n; i++) {
      const v = vifNames(i);
      if (ctx.kind === 'plain') {
        device(seen, p, v.tap, { kind: 'tun', mtu: ctx.mtu, up: true });
        ovsPort(ctx, seen, p, v.tap, i);
      } else if (ctx.kind === 'hybrid') {
        device(seen, p, v.bridge, { kind: 'bridge', up: true });
        device(seen, p, v.qvb, { kind: 'veth', master: v.bridge, mtu: ctx.mtu, up: true });
        device(seen, p, v.qvo, { kind: 'veth', mtu: ctx.mtu, up: true });
        device(seen, p, v.tap, { kind: 'tun', master: v.bridge });
        ovsPort(ctx, seen, p, v.qvo, i);
        bridges.push(v.bridge);
      } else {
        device(seen, p, lbBridge(i), { kind: 'bridge', up: true });
        device(seen, p, v.tap, { kind: 'tun', master: lbBridge(i) });
        bridges.push(lbBridge(i));
      }
    }
    await bridgeSysctls(ctx, p, bridges);
    return p.result();
  });
}

/**
 * Problems after an unplug of every VIF: plain, the port and the tap are gone (os-vif deletes
 * the netdev); hybrid, qbr, qvb, qvo and the port are gone and the guest tap is left without a
 * master; linux_bridge, nothing changed (os-vif's unplug is a no-op: bridges are shared).
 */
export function verifyUnplugged(ctx: BenchContext): Promise<string[]> {
  return look(ctx, async (seen) => {
    const p = new Problems();
    for (let i = 0; i < ctx.n; i++) {
      const v = vifNames(i);
      if (ctx.kind === 'plain') {
        absent(seen, p, v.tap);
        noOvsPort(seen, p, v.tap);
      } else if (ctx.kind === 'hybrid') {
        for (const name of [v.bridge, v.qvb, v.qvo]) absent(seen, p, name);
        noOvsPort(seen, p, v.qvo);
        device(seen, p, v.tap, { kind: 'tun', master: null });
      } else {
        device(seen, p, lbBridge(i), { kind: 'bridge', up: true });
        device(seen, p, v.tap, { kind: 'tun', master: lbBridge(i) });
      }
    }
    return p.result();
  });
}
