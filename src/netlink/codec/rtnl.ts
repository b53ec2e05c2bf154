/**
 * rtnetlink message bodies: a fixed header (ifinfomsg, ifaddrmsg or rtmsg by message type)
 * followed by attributes of the matching schema. `decodeRtnl` and `encodeRtnl` are inverse:
 * decode then encode gives the same bytes.
 */
import { addressSchema } from '../schemas/address.js';
import { linkSchema } from '../schemas/link.js';
import { routeSchema } from '../schemas/route.js';
import { type Attr, decodeAttrs, encodeAttrs } from './attributes.js';
import {
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTM_SETLINK,
} from './constants.js';
import { type NlHeader, type NlMessage, parseMessages, writeMessage } from './message.js';
import { NetlinkParseError } from './parse-error.js';
import {
  decodeIfAddr,
  decodeIfInfo,
  decodeRtMsg,
  encodeIfAddr,
  encodeIfInfo,
  encodeRtMsg,
  IFADDRMSG_LEN,
  IFINFOMSG_LEN,
  type IfAddrMsg,
  type IfInfoMsg,
  RTMSG_LEN,
  type RtMsg,
} from './structs.js';
import { ByteWriter } from './writer.js';

/** A link message (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK). */
export interface LinkBody {
  family: 'link';
  header: IfInfoMsg;
  attrs: Attr[];
}
/** An address message (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR). */
export interface AddressBody {
  family: 'address';
  header: IfAddrMsg;
  attrs: Attr[];
}
/** A route message (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE). */
export interface RouteBody {
  family: 'route';
  header: RtMsg;
  attrs: Attr[];
}
export type RtnlBody = LinkBody | AddressBody | RouteBody;

/** A whole rtnetlink message. */
export type RtnlMessage = NlHeader & { body: RtnlBody };

const LINK_TYPES = new Set([RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK]);
const ADDR_TYPES = new Set([RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR]);
const ROUTE_TYPES = new Set([RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE]);

/** The body family of a message type, or undefined for types this layer does not model. */
export function bodyFamily(type: number): RtnlBody['family'] | undefined {
  if (LINK_TYPES.has(type)) return 'link';
  if (ADDR_TYPES.has(type)) return 'address';
  if (ROUTE_TYPES.has(type)) return 'route';
  return undefined;
}

/** Decodes the payload of a link, address or route message; throws NetlinkParseError when malformed. */
export function decodeBody(type: number, p: Uint8Array): RtnlBody {
  switch (bodyFamily(type)) {
    case 'link':
      need(p, IFINFOMSG_LEN, type);
      return {
        family: 'link',
        header: decodeIfInfo(p),
        attrs: decodeAttrs(p.subarray(IFINFOMSG_LEN), linkSchema, IFINFOMSG_LEN),
      };
    case 'address':
      need(p, IFADDRMSG_LEN, type);
      return {
        family: 'address',
        header: decodeIfAddr(p),
        attrs: decodeAttrs(p.subarray(IFADDRMSG_LEN), addressSchema, IFADDRMSG_LEN),
      };
    case 'route':
      need(p, RTMSG_LEN, type);
      return {
        family: 'route',
        header: decodeRtMsg(p),
        attrs: decodeAttrs(p.subarray(RTMSG_LEN), routeSchema, RTMSG_LEN),
      };
    default:
      throw new NetlinkParseError(`message type ${type} is not a link, address or route message`, 0);
  }
}

function need(p: Uint8Array, n: number, type: number): void {
  if (p.length < n)
    throw new NetlinkParseError(`message type ${type}: payload of ${p.length} bytes < ${n}`, 0);
}

/** Writes a body (fixed header, then attributes). */
export function writeBody(w: ByteWriter, body: RtnlBody): void {
  switch (body.family) {
    case 'link':
      encodeIfInfo(w, body.header);
      encodeAttrs(w, body.attrs, linkSchema);
      return;
    case 'address':
      encodeIfAddr(w, body.header);
      encodeAttrs(w, body.attrs, addressSchema);
      return;
    case 'route':
      encodeRtMsg(w, body.header);
      encodeAttrs(w, body.attrs, routeSchema);
      return;
  }
}

/** Encodes whole messages into one datagram. */
export function encodeRtnl(messages: readonly RtnlMessage[]): Uint8Array {
  const w = new ByteWriter(256 * messages.length);
  for (const m of messages) writeMessage(w, m, (w) => writeBody(w, m.body));
  return w.finish();
}

/** Decodes a datagram of link, address or route messages. */
export function decodeRtnl(datagram: Uint8Array): RtnlMessage[] {
  return parseMessages(datagram).map((m: NlMessage) => ({
    type: m.type,
    flags: m.flags,
    seq: m.seq,
    pid: m.pid,
    body: decodeBody(m.type, m.payload),
  }));
}
