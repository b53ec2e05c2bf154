/**
 * The few netlink bytes the addon's tests need, built and read by hand with DataView. This is
 * deliberately not a codec (that lives in src/netlink): only headers, ifinfomsg, IFLA_IFNAME and
 * IFLA_LINKINFO/IFLA_INFO_KIND, and the NLMSG_ERROR payload.
 */

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_DUMP = 0x300;
export const RTNLGRP_LINK = 1;
const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const NLMSGERR_ATTR_MSG = 1;

const align = (n: number): number => (n + 3) & ~3;

/** One rtattr holding `value` (a string gets its NUL). */
function attr(type: number, value: Uint8Array | string): Uint8Array {
  const body = typeof value === 'string' ? new TextEncoder().encode(`${value}\0`) : value;
  const out = new Uint8Array(align(4 + body.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, 4 + body.length, true);
  view.setUint16(2, type, true);
  out.set(body, 4);
  return out;
}

/** nlmsghdr + ifinfomsg (all zero but `index`) + attributes. */
function linkMessage(type: number, flags: number, seq: number, attrs: Uint8Array[], index = 0): Uint8Array {
  const length = 16 + 16 + attrs.reduce((sum, a) => sum + a.length, 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, flags, true);
  view.setUint32(8, seq, true);
  view.setInt32(16 + 4, index, true); // ifinfomsg.ifi_index
  let offset = 32;
  for (const a of attrs) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** RTM_GETLINK dump request (`index` non-zero is refused by strict checking). */
export function getLinkDump(seq: number, index = 0): Uint8Array {
  return linkMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, [], index);
}

/** RTM_NEWLINK of a bridge, with NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK. */
export function newBridge(seq: number, name: string): Uint8Array {
  const kind = attr(IFLA_INFO_KIND, 'bridge');
  return linkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, [
    attr(IFLA_IFNAME, name),
    attr(IFLA_LINKINFO, kind),
  ]);
}

/** RTM_DELLINK by name, with an ack. */
export function delLink(seq: number, name: string): Uint8Array {
  return linkMessage(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq, [attr(IFLA_IFNAME, name)]);
}

/** Several messages in one datagram. */
export function concat(messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((sum, m) => sum + m.length, 0));
  let offset = 0;
  for (const m of messages) {
    out.set(m, offset);
    offset += m.length;
  }
  return out;
}

/** A message as read back: header fields, and for NLMSG_ERROR the errno and ext-ack text. */
export interface Message {
  length: number;
  type: number;
  flags: number;
  seq: number;
  /** NLMSG_ERROR: 0 for an ack, else the positive errno; NLMSG_DONE: the dump's status. */
  errno?: number;
  /** NLMSG_ERROR with NLMSGERR_ATTR_MSG: the kernel's extended ack text. */
  extAck?: string;
  /** RTM_NEWLINK / RTM_DELLINK: IFLA_IFNAME. */
  ifname?: string;
}

/** Splits datagrams into messages. */
export function parse(datagrams: Uint8Array[]): Message[] {
  const out: Message[] = [];
  for (const d of datagrams) {
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let at = 0; at + 16 <= d.byteLength; ) {
      const length = view.getUint32(at, true);
      const message: Message = {
        length,
        type: view.getUint16(at + 4, true),
        flags: view.getUint16(at + 6, true),
        seq: view.getUint32(at + 8, true),
      };
      if (message.type === NLMSG_ERROR) {
        message.errno = -view.getInt32(at + 16, true) | 0;
        // NETLINK_CAP_ACK: only the request's header follows, then the ext-ack attributes.
        const attrs = readAttrs(view, at + 16 + 4 + 16, at + length);
        const text = attrs.get(NLMSGERR_ATTR_MSG);
        if (text) message.extAck = cString(text);
      } else if (message.type === NLMSG_DONE && length >= 20) {
        // A dump ends with its status, and ext-ack attributes when it failed.
        message.errno = -view.getInt32(at + 16, true) | 0;
        const text = readAttrs(view, at + 20, at + length).get(NLMSGERR_ATTR_MSG);
        if (text) message.extAck = cString(text);
      } else if (message.type === RTM_NEWLINK || message.type === RTM_DELLINK) {
        const name = readAttrs(view, at + 32, at + length).get(IFLA_IFNAME);
        if (name) message.ifname = cString(name);
      }
      out.push(message);
      if (length < 16) break;
      at += align(length);
    }
  }
  return out;
}

function readAttrs(view: DataView, from: number, to: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let at = from; at + 4 <= to; ) {
    const length = view.getUint16(at, true);
    if (length < 4) break;
    out.set(
      view.getUint16(at + 2, true) & 0x3fff,
      new Uint8Array(view.buffer, view.byteOffset + at + 4, length - 4),
    );
    at += align(length);
  }
  return out;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
