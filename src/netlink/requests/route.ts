/** Route requests (`ip route add/del/show` as data), enough to move a NIC's routes to a bridge. */
import type { Attr } from '../codec/attributes.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  RTN_UNICAST,
  RTN_UNSPEC,
  RTPROT_BOOT,
  RTPROT_UNSPEC,
} from '../codec/constants.js';
import { NetlinkValidationError } from '../errors.js';
import type { LinkRef } from '../link-spec.js';
import { routeSchema } from '../schemas/route.js';
import { checkBool, checkInt, checkIp, checkKeys, checkNameOrIndex, checkPrefix } from '../validate.js';
import type { Request } from './request.js';

const RTA = (name: string): number => routeSchema.byName.get(name)!.type;

/** A route to add or delete. */
export interface RouteSpec {
  /** Destination prefix (`10.99.1.0/24`) or 'default' (needs `family` 6 for IPv6; default 4). */
  dst: string;
  family?: 4 | 6;
  /** Next hop. */
  gateway?: string;
  /** Output interface by name or index. */
  dev?: LinkRef;
  /** Metric. */
  metric?: number;
  /** Routing table (default main, 254). */
  table?: number;
  /** 'global' (default with a gateway), 'link' (default without), 'host'. */
  scope?: 'global' | 'link' | 'host';
  /** Preferred source address. */
  prefsrc?: string;
  /** RTPROT_* number (default boot, 3, as ip does). */
  protocol?: number;
  /** Replace an existing route instead of failing with EEXIST. */
  replace?: boolean;
}

const SCOPES = { global: RT_SCOPE_UNIVERSE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST } as const;

/** Validates a route spec; returns the destination's parts. */
export function checkRouteSpec(spec: RouteSpec): { family: 4 | 6; prefixlen: number; address?: string } {
  if (typeof spec !== 'object' || spec === null)
    throw new NetlinkValidationError('spec', spec, 'must be an object');
  checkKeys('spec', spec, [
    'dst',
    'family',
    'gateway',
    'dev',
    'metric',
    'table',
    'scope',
    'prefsrc',
    'protocol',
    'replace',
  ]);
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6) {
    throw new NetlinkValidationError('family', spec.family, 'must be 4 or 6');
  }
  const dst: { family: 4 | 6; prefixlen: number; address?: string } =
    spec.dst === 'default'
      ? { family: spec.family ?? (spec.gateway?.includes(':') ? 6 : 4), prefixlen: 0 }
      : checkPrefix('dst', spec.dst);
  if (spec.family !== undefined && dst.family !== spec.family)
    throw new NetlinkValidationError('dst', spec.dst, `is not IPv${spec.family}`);
  if (spec.gateway !== undefined) checkIp('gateway', spec.gateway, dst.family);
  if (spec.prefsrc !== undefined) checkIp('prefsrc', spec.prefsrc, dst.family);
  if (spec.dev !== undefined) checkNameOrIndex('dev', spec.dev);
  if (spec.gateway === undefined && spec.dev === undefined) {
    throw new NetlinkValidationError('gateway', undefined, 'a route needs a gateway or a dev');
  }
  if (spec.metric !== undefined) checkInt('metric', spec.metric, 0, 0xffffffff);
  if (spec.table !== undefined) checkInt('table', spec.table, 1, 0xffffffff);
  if (spec.protocol !== undefined) checkInt('protocol', spec.protocol, 0, 255);
  if (spec.scope !== undefined && !(spec.scope in SCOPES)) {
    throw new NetlinkValidationError('scope', spec.scope, 'must be global, link or host');
  }
  if (spec.replace !== undefined) checkBool('replace', spec.replace);
  return dst;
}

/** RTM_NEWROUTE (add) or RTM_DELROUTE (del); `oif` is the resolved `dev`. */
export function routeRequest(op: 'add' | 'del', spec: RouteSpec, oif: number | undefined): Request {
  const dst = checkRouteSpec(spec);
  const table = spec.table ?? RT_TABLE_MAIN;
  const attrs: Attr[] = [];
  if (dst.address !== undefined && dst.prefixlen > 0) attrs.push({ type: RTA('dst'), value: dst.address });
  if (spec.gateway !== undefined) attrs.push({ type: RTA('gateway'), value: spec.gateway });
  if (spec.prefsrc !== undefined) attrs.push({ type: RTA('prefsrc'), value: spec.prefsrc });
  if (spec.metric !== undefined) attrs.push({ type: RTA('priority'), value: spec.metric });
  if (table > 255) attrs.push({ type: RTA('table'), value: table });
  if (oif !== undefined) attrs.push({ type: RTA('oif'), value: oif });
  const add = op === 'add';
  const scope = spec.scope
    ? SCOPES[spec.scope]
    : add
      ? spec.gateway
        ? RT_SCOPE_UNIVERSE
        : RT_SCOPE_LINK
      : RT_SCOPE_NOWHERE;
  return {
    type: add ? RTM_NEWROUTE : RTM_DELROUTE,
    flags: add
      ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (spec.replace ? NLM_F_REPLACE : NLM_F_EXCL)
      : NLM_F_REQUEST | NLM_F_ACK,
    body: {
      family: 'route',
      header: {
        family: dst.family === 4 ? AF_INET : AF_INET6,
        dstLen: dst.prefixlen,
        srcLen: 0,
        tos: 0,
        table: table > 255 ? 0 : table,
        protocol: spec.protocol ?? (add ? RTPROT_BOOT : RTPROT_UNSPEC),
        scope,
        type: add ? RTN_UNICAST : RTN_UNSPEC,
        flags: 0,
      },
      attrs,
    },
  };
}

/** RTM_GETROUTE dump of one family (or both). */
export function routeDumpRequest(family?: 4 | 6): Request {
  return {
    type: RTM_GETROUTE,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    body: {
      family: 'route',
      header: {
        family: family === 4 ? AF_INET : family === 6 ? AF_INET6 : AF_UNSPEC,
        dstLen: 0,
        srcLen: 0,
        tos: 0,
        table: 0,
        protocol: 0,
        scope: 0,
        type: 0,
        flags: 0,
      },
      attrs: [],
    },
  };
}
