/**
 * Readable objects from decoded messages: `Link` (what `ip -d link` shows), `Address` and
 * `Route`. Every view keeps the decoded attribute list (`attrs`) so nothing is lost.
 */
import { type Attr, attrsToRecord } from './codec/attributes.js';
import { AF_INET, AF_INET6, IFF_LOWER_UP, IFF_PROMISC, IFF_RUNNING, IFF_UP } from './codec/constants.js';
import type { AddressBody, LinkBody, RouteBody } from './codec/rtnl.js';
import { formatBridgeId } from './kinds/bridge.js';
import { addressSchema } from './schemas/address.js';
import { linkSchema } from './schemas/link.js';
import { routeSchema } from './schemas/route.js';

const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** A network interface as the kernel reports it. */
export interface Link {
  index: number;
  name: string;
  /** IFLA_INFO_KIND ('bridge', 'veth', 'tun', ...); undefined for devices without one (lo, physical NICs). */
  kind: string | undefined;
  /** IFF_* flags. */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** IFF_RUNNING. */
  running: boolean;
  /** IFF_LOWER_UP (carrier). */
  lowerUp: boolean;
  /** IFF_PROMISC. */
  promisc: boolean;
  /** RFC 2863 state as ip prints it: 'UP', 'DOWN', 'UNKNOWN', ... */
  operstate: string;
  mtu: number;
  minMtu?: number;
  maxMtu?: number;
  /** Hardware address (absent for tun). */
  address?: string;
  broadcast?: string;
  permAddress?: string;
  /** Index of the master (bridge). */
  master?: number;
  /** Index of the lower device or veth peer (in `linkNetnsid`'s namespace when set). */
  link?: number;
  linkNetnsid?: number;
  txqueuelen?: number;
  group: number;
  promiscuity?: number;
  allmulti?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  qdisc?: string;
  alias?: string;
  /** ARPHRD_* type (1 Ethernet, 65534 none). */
  type: number;
  /** Kind-specific data (IFLA_INFO_DATA) by field name; bridge ids formatted as `8000.aa:bb:...`. */
  data?: Record<string, unknown>;
  /** The master's kind for a port ('bridge'). */
  slaveKind?: string;
  /** Port data from the master (IFLA_INFO_SLAVE_DATA), such as bridge port state and cost. */
  slaveData?: Record<string, unknown>;
  /** Every attribute, decoded (the lossless form). */
  attrs: Attr[];
}

function num(r: Record<string, unknown>, k: string): number | undefined {
  const v = r[k];
  return typeof v === 'number' ? v : undefined;
}
function str(r: Record<string, unknown>, k: string): string | undefined {
  const v = r[k];
  return typeof v === 'string' ? v : undefined;
}

function withBridgeIds(data: Record<string, unknown>): Record<string, unknown> {
  for (const k of ['rootId', 'bridgeId']) {
    const v = data[k];
    if (v instanceof Uint8Array) data[k] = formatBridgeId(v) ?? v;
  }
  return data;
}

/** The view of an RTM_NEWLINK message. */
export function linkView(body: LinkBody): Link {
  const r = attrsToRecord(body.attrs, linkSchema);
  const info = (r.linkinfo ?? {}) as Record<string, unknown>;
  const h = body.header;
  const link: Link = {
    index: h.index,
    name: str(r, 'name') ?? '',
    kind: str(info, 'kind'),
    flags: h.flags,
    up: (h.flags & IFF_UP) !== 0,
    running: (h.flags & IFF_RUNNING) !== 0,
    lowerUp: (h.flags & IFF_LOWER_UP) !== 0,
    promisc: (h.flags & IFF_PROMISC) !== 0,
    operstate: OPERSTATES[num(r, 'operstate') ?? 0] ?? 'UNKNOWN',
    mtu: num(r, 'mtu') ?? 0,
    group: num(r, 'group') ?? 0,
    type: h.type,
    attrs: body.attrs,
  };
  const optional = {
    minMtu: num(r, 'minMtu'),
    maxMtu: num(r, 'maxMtu'),
    address: str(r, 'address'),
    broadcast: str(r, 'broadcast'),
    permAddress: str(r, 'permAddress'),
    master: num(r, 'master'),
    link: num(r, 'link'),
    linkNetnsid: num(r, 'linkNetnsid'),
    txqueuelen: num(r, 'txqueuelen'),
    promiscuity: num(r, 'promiscuity'),
    allmulti: num(r, 'allmulti'),
    numTxQueues: num(r, 'numTxQueues'),
    numRxQueues: num(r, 'numRxQueues'),
    qdisc: str(r, 'qdisc'),
    alias: str(r, 'alias'),
    slaveKind: str(info, 'slaveKind'),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (link as unknown as Record<string, unknown>)[k] = v;
  if (info.data && typeof info.data === 'object')
    link.data = withBridgeIds(info.data as Record<string, unknown>);
  if (info.slaveData && typeof info.slaveData === 'object') {
    link.slaveData = withBridgeIds(info.slaveData as Record<string, unknown>);
  }
  return link;
}

/** An IP address on an interface. */
export interface Address {
  /** Interface index. */
  index: number;
  family: 4 | 6;
  /** The local address. */
  address: string;
  prefixlen: number;
  /** `address/prefixlen`. */
  cidr: string;
  /** Peer (point-to-point) address, when it differs from the local one. */
  peer?: string;
  broadcast?: string;
  label?: string;
  /** RT_SCOPE_* number (0 global, 253 link, 254 host). */
  scope: number;
  /** IFA_F_* flags (the 32-bit IFA_FLAGS when present). */
  flags: number;
  attrs: Attr[];
}

/** The view of an RTM_NEWADDR message. */
export function addressView(body: AddressBody): Address {
  const r = attrsToRecord(body.attrs, addressSchema);
  const h = body.header;
  const address = str(r, 'local') ?? str(r, 'address') ?? '';
  const out: Address = {
    index: h.index,
    family: h.family === AF_INET6 ? 6 : 4,
    address,
    prefixlen: h.prefixlen,
    cidr: `${address}/${h.prefixlen}`,
    scope: h.scope,
    flags: num(r, 'flags') ?? h.flags,
    attrs: body.attrs,
  };
  const peer = str(r, 'address');
  if (peer !== undefined && peer !== address) out.peer = peer;
  const broadcast = str(r, 'broadcast');
  if (broadcast !== undefined) out.broadcast = broadcast;
  const label = str(r, 'label');
  if (label !== undefined) out.label = label;
  return out;
}

/** A route. */
export interface Route {
  family: 4 | 6;
  /** `10.99.1.0/24`, or 'default'. */
  dst: string;
  gateway?: string;
  /** Output interface index. */
  oif?: number;
  metric?: number;
  prefsrc?: string;
  table: number;
  protocol: number;
  scope: number;
  /** RTN_* type (1 unicast, 2 local, 3 broadcast, ...). */
  type: number;
  attrs: Attr[];
}

/** The view of an RTM_NEWROUTE message. */
export function routeView(body: RouteBody): Route {
  const r = attrsToRecord(body.attrs, routeSchema);
  const h = body.header;
  const dst = str(r, 'dst');
  const out: Route = {
    family: h.family === AF_INET ? 4 : 6,
    dst: dst === undefined || h.dstLen === 0 ? 'default' : `${dst}/${h.dstLen}`,
    table: num(r, 'table') ?? h.table,
    protocol: h.protocol,
    scope: h.scope,
    type: h.type,
    attrs: body.attrs,
  };
  const extra = {
    gateway: str(r, 'gateway'),
    oif: num(r, 'oif'),
    metric: num(r, 'priority'),
    prefsrc: str(r, 'prefsrc'),
  };
  for (const [k, v] of Object.entries(extra))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
