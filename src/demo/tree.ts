/**
 * A readable tree of what exists in a namespace: Linux bridges with their ports, other links
 * (veth ends, taps) and the OVS bridges with their ports and interface rows.
 */
import type { Link, Netlink } from '../netlink/index.js';
import type { VSwitch } from '../ovsdb/index.js';

const IGNORED = new Set(['lo', 'ovs-netdev']);

function describeLink(l: Link): string {
  const bits = [l.kind ?? 'device', `mtu ${l.mtu}`, l.up ? 'up' : 'down'];
  if (l.promisc) bits.push('promisc');
  return `${l.name} (${bits.join(', ')})`;
}

/** Lines describing the kernel links of a namespace, grouped under their bridges. */
export async function linkTree(nl: Netlink): Promise<string[]> {
  const links = (await nl.links.list()).filter((l) => !IGNORED.has(l.name));
  const byIndex = new Map(links.map((l) => [l.index, l]));
  const lines: string[] = [];
  const bridges = links.filter((l) => l.kind === 'bridge');
  const addresses = await nl.addresses.list({ family: 4 });
  for (const br of bridges) {
    const ips = addresses.filter((a) => a.index === br.index).map((a) => a.cidr);
    lines.push(`  bridge ${describeLink(br)}${ips.length ? ` inet ${ips.join(', ')}` : ''}`);
    for (const port of links.filter((l) => l.master === br.index)) lines.push(`    └─ ${describeLink(port)}`);
  }
  for (const l of links) {
    if (l.kind === 'bridge' || (l.master !== undefined && byIndex.get(l.master)?.kind === 'bridge')) continue;
    lines.push(`  link ${describeLink(l)}`);
  }
  return lines.length > 0 ? lines : ['  (no links besides lo)'];
}

/** Lines describing OVS bridges, ports and interfaces. */
export function ovsTree(vs: VSwitch): string[] {
  const lines: string[] = [];
  for (const bridge of vs.listBridges().sort()) {
    lines.push(`  ovs bridge ${bridge} (datapath ${vs.bridgeDatapathType(bridge) || 'system'})`);
    for (const port of vs.listPorts(bridge).sort()) {
      const p = vs.findPort(port);
      const i = vs.findInterface(port);
      const bits: string[] = [];
      if (i?.type) bits.push(`type ${i.type}`);
      if (p?.tag !== null && p?.tag !== undefined) bits.push(`tag ${p.tag}`);
      for (const [k, v] of Object.entries(i?.options ?? {})) bits.push(`${k}=${v}`);
      if (i?.externalIds['iface-id']) bits.push(`iface-id ${i.externalIds['iface-id'].slice(0, 8)}…`);
      if (i?.mtuRequest) bits.push(`mtu_request ${i.mtuRequest}`);
      lines.push(`    └─ port ${port}${bits.length ? ` [${bits.join(', ')}]` : ''}`);
    }
  }
  return lines.length > 0 ? lines : ['  (no OVS bridges)'];
}
