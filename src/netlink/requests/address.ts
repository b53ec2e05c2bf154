/** Address requests (`ip addr add/del/show` as data). */
import type { Attr } from '../codec/attributes.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IFA_F_NODAD,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
} from '../codec/constants.js';
import { NetlinkValidationError } from '../errors.js';
import type { LinkRef } from '../link-spec.js';
import { addressSchema } from '../schemas/address.js';
import { checkBool, checkIp, checkKeys, checkNameOrIndex, checkPrefix } from '../validate.js';
import type { Request } from './request.js';

const IFA = (name: string): number => addressSchema.byName.get(name)!.type;

/** An address to add or delete. */
export interface AddressSpec {
  /** The interface, by name or index. */
  interface: LinkRef;
  /** `10.99.0.1/24` or `2001:db8::1/64` (no prefix: /32 or /128). */
  address: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** Peer address (point-to-point). */
  peer?: string;
  /** IPv4 label, such as 'eth0:1'. */
  label?: string;
  /** 'global' (default), 'link' or 'host'. */
  scope?: 'global' | 'link' | 'host';
  /** IPv6: skip duplicate address detection. */
  nodad?: boolean;
  /** Replace an existing address instead of failing with EEXIST. */
  replace?: boolean;
}

const SCOPES = { global: RT_SCOPE_UNIVERSE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST } as const;

/** Validates an address spec. */
export function checkAddressSpec(spec: AddressSpec): { family: 4 | 6; prefixlen: number; address: string } {
  if (typeof spec !== 'object' || spec === null)
    throw new NetlinkValidationError('spec', spec, 'must be an object');
  checkKeys('spec', spec, [
    'interface',
    'address',
    'broadcast',
    'peer',
    'label',
    'scope',
    'nodad',
    'replace',
  ]);
  checkNameOrIndex('interface', spec.interface);
  const p = checkPrefix('address', spec.address);
  if (spec.broadcast !== undefined) checkIp('broadcast', spec.broadcast, 4);
  if (spec.peer !== undefined) checkIp('peer', spec.peer, p.family);
  if (spec.label !== undefined && (typeof spec.label !== 'string' || spec.label.length > 15)) {
    throw new NetlinkValidationError('label', spec.label, 'must be at most 15 bytes');
  }
  if (spec.scope !== undefined && !(spec.scope in SCOPES)) {
    throw new NetlinkValidationError('scope', spec.scope, 'must be global, link or host');
  }
  if (spec.nodad !== undefined) checkBool('nodad', spec.nodad);
  if (spec.replace !== undefined) checkBool('replace', spec.replace);
  return p;
}

/** RTM_NEWADDR (add) or RTM_DELADDR (del) on interface `index`. */
export function addressRequest(op: 'add' | 'del', spec: AddressSpec, index: number): Request {
  const p = checkAddressSpec(spec);
  const attrs: Attr[] = [
    { type: IFA('local'), value: p.address },
    { type: IFA('address'), value: spec.peer ?? p.address },
  ];
  if (spec.broadcast !== undefined) attrs.push({ type: IFA('broadcast'), value: spec.broadcast });
  if (spec.label !== undefined) attrs.push({ type: IFA('label'), value: spec.label });
  const flags =
    op === 'add'
      ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (spec.replace ? NLM_F_REPLACE : NLM_F_EXCL)
      : NLM_F_REQUEST | NLM_F_ACK;
  return {
    type: op === 'add' ? RTM_NEWADDR : RTM_DELADDR,
    flags,
    body: {
      family: 'address',
      header: {
        family: p.family === 4 ? AF_INET : AF_INET6,
        prefixlen: p.prefixlen,
        flags: spec.nodad ? IFA_F_NODAD : 0,
        scope: SCOPES[spec.scope ?? 'global'],
        index,
      },
      attrs,
    },
  };
}

/** RTM_GETADDR dump of one family (or both). */
export function addressDumpRequest(family?: 4 | 6): Request {
  return {
    type: RTM_GETADDR,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    body: {
      family: 'address',
      header: {
        family: family === 4 ? AF_INET : family === 6 ? AF_INET6 : AF_UNSPEC,
        prefixlen: 0,
        flags: 0,
        scope: 0,
        index: 0,
      },
      attrs: [],
    },
  };
}
