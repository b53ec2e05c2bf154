/**
 * Link requests as pure functions of validated input: `ip link add/set/del/show` as data. The
 * attribute order follows iproute2 (options, then IFLA_IFNAME, then IFLA_LINKINFO), so golden
 * bytes captured from `ip` match byte for byte.
 */
import type { Attr, AttrValue } from '../codec/attributes.js';
import {
  AF_UNSPEC,
  IFF_PROMISC,
  IFF_UP,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTEXT_FILTER_SKIP_STATS,
  RTEXT_FILTER_VF,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
} from '../codec/constants.js';
import type { IfInfoMsg } from '../codec/structs.js';
import { NetlinkValidationError } from '../errors.js';
import { kindByName } from '../kinds/registry.js';
import { VETH_INFO_PEER } from '../kinds/veth.js';
import type { CommonLinkSpec, LinkChanges, LinkRef, LinkSpec, VethPeerSpec } from '../link-spec.js';
import { IFLA_INFO_DATA, IFLA_INFO_KIND, linkSchema } from '../schemas/link.js';
import {
  checkBool,
  checkInt,
  checkKeys,
  checkMac,
  checkMtu,
  checkName,
  checkNameOrIndex,
} from '../validate.js';
import type { Request } from './request.js';

const IFLA = (name: string): number => linkSchema.byName.get(name)!.type;
const encoder = new TextEncoder();

/** Numbers the caller looked up for a spec: indexes of named links and opened namespace fds. */
export interface Resolved {
  master?: number;
  link?: number;
  netnsFd?: number;
  peerNetnsFd?: number;
}

const COMMON = ['kind', 'name', 'mtu', 'address', 'master', 'up', 'promisc', 'txqueuelen', 'group', 'netns'];
const EXTRA: Record<string, string[]> = {
  veth: ['peer'],
  tap: ['owner', 'ownerGroup', 'multiQueue', 'vnetHdr'],
  tun: ['owner', 'ownerGroup', 'multiQueue', 'vnetHdr'],
  macvlan: ['link'],
  macvtap: ['link'],
  vxlan: ['link'],
  vlan: ['link'],
};

/** The IFLA_INFO_KIND behind a spec kind ('tap' and 'tun' are both 'tun'). */
export function infoKind(kind: string): string {
  return kind === 'tap' ? 'tun' : kind;
}

/** Validates a whole `links.add` spec; throws NetlinkValidationError naming the first bad field. */
export function checkLinkSpec(spec: LinkSpec): void {
  if (typeof spec !== 'object' || spec === null)
    throw new NetlinkValidationError('spec', spec, 'must be an object');
  const known = kindByName(infoKind(String(spec.kind)));
  if (!known) throw new NetlinkValidationError('kind', spec.kind, 'unknown link kind');
  checkKeys('spec', spec, [...COMMON, ...(EXTRA[spec.kind] ?? []), ...Object.keys(known.options ?? {})]);
  checkCommon('', spec);
  const s = spec as unknown as Record<string, unknown>;
  for (const [opt, encode] of Object.entries(known.options ?? {}))
    if (s[opt] !== undefined) encode(opt, s[opt]);
  switch (spec.kind) {
    case 'veth':
      if (spec.peer !== undefined) {
        checkKeys('peer', spec.peer, ['name', 'mtu', 'address', 'promisc', 'txqueuelen', 'netns']);
        checkCommon('peer.', spec.peer);
        if (spec.peer.name === spec.name && spec.peer.netns === spec.netns) {
          throw new NetlinkValidationError(
            'peer.name',
            spec.peer.name,
            'must differ from the name of the link',
          );
        }
      }
      break;
    case 'tap':
    case 'tun':
      if (spec.owner !== undefined) checkInt('owner', spec.owner, 0, 0xfffffffe);
      if (spec.ownerGroup !== undefined) checkInt('ownerGroup', spec.ownerGroup, 0, 0xfffffffe);
      if (spec.multiQueue !== undefined) checkBool('multiQueue', spec.multiQueue);
      if (spec.vnetHdr !== undefined) checkBool('vnetHdr', spec.vnetHdr);
      if (spec.netns !== undefined) {
        throw new NetlinkValidationError(
          'netns',
          spec.netns,
          `open the handle in that namespace to create a ${spec.kind} there`,
        );
      }
      if (spec.kind === 'tun' && spec.address !== undefined) {
        throw new NetlinkValidationError('address', spec.address, 'a tun device has no hardware address');
      }
      break;
    case 'macvlan':
    case 'macvtap':
    case 'vlan':
      if (spec.link === undefined)
        throw new NetlinkValidationError('link', undefined, `a ${spec.kind} needs a lower device`);
      checkNameOrIndex('link', spec.link);
      if (spec.kind === 'vlan' && spec.id === undefined)
        throw new NetlinkValidationError('id', undefined, 'a vlan needs an id');
      break;
    case 'vxlan':
      if (spec.id === undefined)
        throw new NetlinkValidationError('id', undefined, 'a vxlan needs an id (VNI)');
      if (spec.link !== undefined) checkNameOrIndex('link', spec.link);
      if (spec.remote !== undefined && spec.multicastGroup !== undefined) {
        throw new NetlinkValidationError('remote', spec.remote, 'give remote or multicastGroup, not both');
      }
      break;
  }
}

function checkCommon(prefix: string, s: Partial<CommonLinkSpec>): void {
  checkName(`${prefix}name`, s.name);
  if (s.mtu !== undefined) checkMtu(`${prefix}mtu`, s.mtu);
  if (s.address !== undefined) checkMac(`${prefix}address`, s.address);
  if (s.master !== undefined) checkNameOrIndex(`${prefix}master`, s.master);
  if (s.up !== undefined) checkBool(`${prefix}up`, s.up);
  if (s.promisc !== undefined) checkBool(`${prefix}promisc`, s.promisc);
  if (s.txqueuelen !== undefined) checkInt(`${prefix}txqueuelen`, s.txqueuelen, 0, 0xffffffff);
  if (s.group !== undefined) checkInt(`${prefix}group`, s.group, 0, 0xffffffff);
  if (s.netns !== undefined && (typeof s.netns !== 'string' || s.netns === '')) {
    throw new NetlinkValidationError(`${prefix}netns`, s.netns, 'must be a namespace name or path');
  }
}

/** Validates `links.set` changes. */
export function checkLinkChanges(changes: LinkChanges): void {
  if (typeof changes !== 'object' || changes === null) {
    throw new NetlinkValidationError('changes', changes, 'must be an object');
  }
  checkKeys('changes', changes, [
    'mtu',
    'address',
    'master',
    'up',
    'promisc',
    'name',
    'group',
    'txqueuelen',
    'netns',
    'alias',
    'kind',
    ...Object.keys(changesKind(changes)?.options ?? {}),
  ]);
  const kind = changesKind(changes);
  const c = changes as unknown as Record<string, unknown>;
  for (const [opt, encode] of Object.entries(kind?.options ?? {}))
    if (c[opt] !== undefined) encode(opt, c[opt]);
  if (changes.name !== undefined) checkName('name', changes.name);
  if (changes.master !== undefined && changes.master !== null) checkNameOrIndex('master', changes.master);
  if (changes.promisc !== undefined) checkBool('promisc', changes.promisc);
  if (
    changes.alias !== undefined &&
    (typeof changes.alias !== 'string' || encoder.encode(changes.alias).length > 255)
  ) {
    throw new NetlinkValidationError('alias', changes.alias, 'must be a string of at most 255 bytes');
  }
  checkCommon('', { ...changes, name: changes.name ?? 'x', master: undefined });
}

/** The kind named by `changes.kind` (validated), or undefined when none is named. */
function changesKind(changes: LinkChanges) {
  if (changes.kind === undefined) return undefined;
  const kind = typeof changes.kind === 'string' ? kindByName(infoKind(changes.kind)) : undefined;
  if (!kind) throw new NetlinkValidationError('kind', changes.kind, 'unknown link kind');
  return kind;
}

/** IFLA_LINKINFO with the kind's data from the options present in `s`, in their order. */
function kindData(kindName: string, s: Record<string, unknown>, link?: number): Attr {
  const kind = kindByName(infoKind(kindName))!;
  const info: Attr[] = [{ type: IFLA_INFO_KIND, value: kind.kind, raw: encoder.encode(kind.kind) }];
  const data: Attr[] = [];
  for (const key of Object.keys(s)) {
    const option = kind.options?.[key];
    if (option && s[key] !== undefined) {
      const [field, value] = option(key, s[key]);
      data.push({ type: kind.data!.byName.get(field)!.type, value });
    } else if (key === 'link' && kindName === 'vxlan' && link !== undefined) {
      data.push({ type: kind.data!.byName.get('link')!.type, value: link });
    }
  }
  if (data.length) info.push({ type: IFLA_INFO_DATA, value: data });
  return { type: IFLA('linkinfo'), value: info };
}

function header(index = 0, up?: boolean, promisc?: boolean): IfInfoMsg {
  let flags = 0;
  let change = 0;
  if (up !== undefined) {
    change |= IFF_UP;
    if (up) flags |= IFF_UP;
  }
  if (promisc !== undefined) {
    change |= IFF_PROMISC;
    if (promisc) flags |= IFF_PROMISC;
  }
  return { family: AF_UNSPEC, type: 0, index, flags, change };
}

/** Common attributes in the order the spec gives them. */
function commonAttrs(s: Partial<CommonLinkSpec>, r: { master?: number; netnsFd?: number }): Attr[] {
  const out: Attr[] = [];
  for (const key of Object.keys(s)) {
    switch (key) {
      case 'mtu':
        if (s.mtu !== undefined) out.push({ type: IFLA('mtu'), value: s.mtu });
        break;
      case 'address':
        if (s.address !== undefined) out.push({ type: IFLA('address'), value: s.address.toLowerCase() });
        break;
      case 'txqueuelen':
        if (s.txqueuelen !== undefined) out.push({ type: IFLA('txqueuelen'), value: s.txqueuelen });
        break;
      case 'group':
        if (s.group !== undefined) out.push({ type: IFLA('group'), value: s.group });
        break;
      case 'master':
        if (r.master !== undefined) out.push({ type: IFLA('master'), value: r.master });
        break;
      case 'netns':
        if (r.netnsFd !== undefined) out.push({ type: IFLA('netnsFd'), value: r.netnsFd });
        break;
    }
  }
  return out;
}

/** RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL for any kind but tap/tun (which the addon creates). */
export function linkAddRequest(spec: LinkSpec, r: Resolved): Request {
  const attrs = commonAttrs(spec, r);
  if ((spec.kind === 'macvlan' || spec.kind === 'macvtap' || spec.kind === 'vlan') && r.link !== undefined) {
    attrs.push({ type: IFLA('link'), value: r.link });
  }
  attrs.push({ type: IFLA('name'), value: spec.name });
  const info = kindData(spec.kind, spec as unknown as Record<string, unknown>, r.link);
  if (spec.kind === 'veth' && spec.peer) {
    const items = info.value as Attr[];
    const peer = vethPeer(spec.peer, r.peerNetnsFd);
    const data = items.find((a) => a.type === IFLA_INFO_DATA);
    if (data) (data.value as Attr[]).push(peer);
    else items.push({ type: IFLA_INFO_DATA, value: [peer] });
  }
  attrs.push(info);
  return {
    type: RTM_NEWLINK,
    flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    body: { family: 'link', header: header(0, spec.up, spec.promisc), attrs },
  };
}

function vethPeer(peer: VethPeerSpec, netnsFd: number | undefined): Attr {
  const attrs = commonAttrs(peer, { netnsFd });
  attrs.push({ type: IFLA('name'), value: peer.name });
  const value: AttrValue = { header: header(0, undefined, peer.promisc), attrs };
  return { type: VETH_INFO_PEER, value };
}

function target(ref: LinkRef): { index: number; attrs: Attr[] } {
  return typeof ref === 'number'
    ? { index: ref, attrs: [] }
    : { index: 0, attrs: [{ type: IFLA('name'), value: ref }] };
}

/**
 * RTM_NEWLINK (no create) changing an existing link. A rename needs `ref` to be an index.
 * `master` 0 detaches.
 */
export function linkSetRequest(
  ref: LinkRef,
  c: LinkChanges,
  r: { master?: number; netnsFd?: number },
): Request {
  const t = target(ref);
  const attrs = commonAttrs({ ...c, master: c.master ?? undefined }, r);
  if (c.alias !== undefined) attrs.push({ type: IFLA('alias'), value: c.alias });
  if (c.name !== undefined) {
    if (typeof ref !== 'number') throw new TypeError('a rename needs the link index');
    attrs.push({ type: IFLA('name'), value: c.name });
  }
  attrs.push(...t.attrs);
  if (c.kind !== undefined) attrs.push(kindData(c.kind, c as unknown as Record<string, unknown>));
  return {
    type: RTM_NEWLINK,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    body: { family: 'link', header: header(t.index, c.up, c.promisc), attrs },
  };
}

/** RTM_DELLINK of one link. */
export function linkDelRequest(ref: LinkRef): Request {
  const t = target(ref);
  return {
    type: RTM_DELLINK,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    body: { family: 'link', header: header(t.index), attrs: t.attrs },
  };
}

/** RTM_DELLINK with ifindex 0 and IFLA_GROUP: every device of the group in one request. */
export function linkGroupDelRequest(group: number): Request {
  return {
    type: RTM_DELLINK,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    body: { family: 'link', header: header(0), attrs: [{ type: IFLA('group'), value: group }] },
  };
}

/** RTM_GETLINK of one link (statistics skipped, as `ip -d link show dev X` asks). */
export function linkGetRequest(ref: LinkRef): Request {
  const t = target(ref);
  return {
    type: RTM_GETLINK,
    flags: NLM_F_REQUEST,
    body: {
      family: 'link',
      header: header(t.index),
      attrs: [{ type: IFLA('extMask'), value: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }, ...t.attrs],
    },
  };
}

/** RTM_GETLINK dump, filtered in the kernel by master index and/or kind. */
export function linkDumpRequest(filter: { master?: number; kind?: string } = {}): Request {
  const attrs: Attr[] = [{ type: IFLA('extMask'), value: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }];
  if (filter.master !== undefined) attrs.push({ type: IFLA('master'), value: filter.master });
  if (filter.kind !== undefined) {
    attrs.push({ type: IFLA('linkinfo'), value: [{ type: IFLA_INFO_KIND, value: infoKind(filter.kind) }] });
  }
  return {
    type: RTM_GETLINK,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    body: { family: 'link', header: header(), attrs },
  };
}
