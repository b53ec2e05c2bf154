/**
 * Independent witnesses of host state for the end-to-end tests: `ip -j -d link` (through the
 * test harness) and `ovs-vsctl --format=json list`, normalised to the columns the plugins write,
 * so states from different runs (and from Python os-vif) compare with deepEqual.
 */
import { type IpLink, trySh } from '../harness/netns.js';

/** OVSDB JSON values (`["set",[..]]`, `["map",[..]]`, `["uuid",..]`) to plain JSON. */
export function decode(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v[0] === 'set') return (v[1] as unknown[]).map(decode);
  if (v[0] === 'map')
    return Object.fromEntries((v[1] as [unknown, unknown][]).map(([k, x]) => [k, decode(x)]));
  if (v[0] === 'uuid' || v[0] === 'named-uuid') return `uuid:${v[1]}`;
  return v;
}

/** Rows of a table as objects, read with ovs-vsctl. */
export function ovsList(remote: string, table: string): Record<string, unknown>[] {
  const r = trySh('ovs-vsctl', [`--db=${remote}`, '--format=json', 'list', table]);
  if (r.status !== 0) throw new Error(`ovs-vsctl list ${table}: ${r.stderr}`);
  const { headings, data } = JSON.parse(r.stdout) as { headings: string[]; data: unknown[][] };
  return data.map((row) => Object.fromEntries(headings.map((h, i) => [h, decode(row[i])])));
}

/** The OVS state the plugins write: bridges, ports and interfaces by name, uuids resolved to names. */
export interface OvsState {
  bridges: Record<string, { datapath_type: unknown; ports: string[] }>;
  ports: Record<string, { tag: unknown; interfaces: string[] }>;
  interfaces: Record<
    string,
    { type: unknown; options: unknown; external_ids: unknown; mtu_request: unknown }
  >;
}

/** Rows of several tables in one `ovs-vsctl` run (one JSON document per line, one per table). */
export function ovsLists(remote: string, tables: string[]): Record<string, unknown>[][] {
  const args = tables.flatMap((table, i) => [...(i > 0 ? ['--'] : []), 'list', table]);
  const r = trySh('ovs-vsctl', [`--db=${remote}`, '--format=json', ...args]);
  if (r.status !== 0) throw new Error(`ovs-vsctl list ${tables.join(', ')}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { headings, data } = JSON.parse(line) as { headings: string[]; data: unknown[][] };
      return data.map((row) => Object.fromEntries(headings.map((h, i) => [h, decode(row[i])])));
    });
}

/** Reads and normalises the OVS state. */
export function ovsState(remote: string): OvsState {
  const [ifaces = [], ports = [], bridges = []] = ovsLists(remote, ['Interface', 'Port', 'Bridge']);
  const nameOf = (rows: Record<string, unknown>[]) =>
    new Map(rows.map((r) => [r._uuid as string, r.name as string]));
  const ifaceNames = nameOf(ifaces);
  const portNames = nameOf(ports);
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]) as string[];
  return {
    bridges: Object.fromEntries(
      bridges.map((b) => [
        b.name,
        {
          datapath_type: b.datapath_type,
          ports: list(b.ports)
            .map((u) => portNames.get(u) ?? u)
            .sort(),
        },
      ]),
    ),
    ports: Object.fromEntries(
      ports.map((p) => [
        p.name,
        {
          tag: p.tag,
          interfaces: list(p.interfaces)
            .map((u) => ifaceNames.get(u) ?? u)
            .sort(),
        },
      ]),
    ),
    interfaces: Object.fromEntries(
      ifaces.map((i) => [
        i.name,
        { type: i.type, options: i.options, external_ids: i.external_ids, mtu_request: i.mtu_request },
      ]),
    ),
  };
}

/** What the plugins set on a kernel link. */
export interface LinkState {
  kind: string | undefined;
  mtu: number;
  up: boolean;
  master: string | undefined;
}

/** Normalised kernel links (without lo and OVS's own taps), by name. */
export function linkState(links: IpLink[], options: { ignore?: string[] } = {}): Record<string, LinkState> {
  const ignore = new Set(['lo', 'ovs-netdev', ...(options.ignore ?? [])]);
  return Object.fromEntries(
    links
      .filter((l) => !ignore.has(l.ifname))
      .map((l) => [
        l.ifname,
        { kind: l.linkinfo?.info_kind, mtu: l.mtu, up: l.flags.includes('UP'), master: l.master },
      ]),
  );
}
