/**
 * Netlink messages: `struct nlmsghdr` (u32 length, u16 type, u16 flags, u32 seq, u32 port id)
 * followed by a payload, aligned to 4 bytes; a datagram holds one or more of them. Also the
 * NLMSG_ERROR payload with its extended ACK attributes.
 */
import { decodeAttrs, findAttr } from './attributes.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';
import { NetlinkParseError } from './parse-error.js';
import { attr, defineSchema } from './schema.js';
import type { ByteWriter } from './writer.js';

/** The fields of `struct nlmsghdr` other than the length. */
export interface NlHeader {
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** One message of a datagram; `payload` is what follows the 16-byte header (no padding). */
export interface NlMessage extends NlHeader {
  payload: Uint8Array;
}

/** Writes one message: header, then `body` writes the payload; the length is filled in after. */
export function writeMessage(w: ByteWriter, h: NlHeader, body: (w: ByteWriter) => void): void {
  const start = w.length;
  w.u32(0);
  w.u16(h.type);
  w.u16(h.flags);
  w.u32(h.seq >>> 0);
  w.u32(h.pid >>> 0);
  body(w);
  w.patchU32(start, w.length - start);
  w.align();
}

/** Splits a datagram into messages; throws {@link NetlinkParseError} on an impossible length. */
export function parseMessages(datagram: Uint8Array): NlMessage[] {
  const out: NlMessage[] = [];
  const dv = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let off = 0;
  while (off < datagram.length) {
    if (datagram.length - off < NLMSG_HDRLEN) throw new NetlinkParseError(`truncated header at ${off}`, off);
    const len = dv.getUint32(off, true);
    if (len < NLMSG_HDRLEN || off + len > datagram.length) {
      throw new NetlinkParseError(`message at ${off} has length ${len}`, off);
    }
    out.push({
      type: dv.getUint16(off + 4, true),
      flags: dv.getUint16(off + 6, true),
      seq: dv.getUint32(off + 8, true),
      pid: dv.getUint32(off + 12, true),
      payload: datagram.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += (len + 3) & ~3;
  }
  return out;
}

/** Extended ACK attributes (linux/netlink.h `enum nlmsgerr_attrs`). */
export const extAckSchema = defineSchema('NLMSGERR_ATTR', [
  attr('message', 'NLMSGERR_ATTR_MSG', NLMSGERR_ATTR_MSG, 'string', 'Error message text.'),
  attr(
    'offset',
    'NLMSGERR_ATTR_OFFS',
    NLMSGERR_ATTR_OFFS,
    'u32',
    'Offset of the bad attribute in the request.',
  ),
  attr('cookie', 'NLMSGERR_ATTR_COOKIE', NLMSGERR_ATTR_COOKIE, 'binary', 'Subsystem-specific cookie.'),
  attr('missType', 'NLMSGERR_ATTR_MISS_TYPE', NLMSGERR_ATTR_MISS_TYPE, 'u32', 'Type of a missing attribute.'),
  attr(
    'missNest',
    'NLMSGERR_ATTR_MISS_NEST',
    NLMSGERR_ATTR_MISS_NEST,
    'u32',
    'Offset of the nest missing it.',
  ),
]);

/** The decoded payload of an NLMSG_ERROR message (an ACK when `error` is 0). */
export interface ErrorPayload {
  /** 0 for an ACK, otherwise a negative errno. */
  error: number;
  /** Header of the request this answers. */
  request: NlHeader & { length: number };
  /** Kernel's error text (NLMSGERR_ATTR_MSG). */
  message?: string;
  /** Offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS). */
  offset?: number;
  /** Type of a missing required attribute (NLMSGERR_ATTR_MISS_TYPE). */
  missType?: number;
}

/** Decodes an NLMSG_ERROR payload, including the extended ACK TLVs when flagged. */
export function decodeError(msg: NlMessage): ErrorPayload {
  const p = msg.payload;
  if (p.length < 4 + NLMSG_HDRLEN) throw new NetlinkParseError('truncated NLMSG_ERROR', 0);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const length = dv.getUint32(4, true);
  const out: ErrorPayload = {
    error: dv.getInt32(0, true),
    request: {
      length,
      type: dv.getUint16(8, true),
      flags: dv.getUint16(10, true),
      seq: dv.getUint32(12, true),
      pid: dv.getUint32(16, true),
    },
  };
  if (msg.flags & NLM_F_ACK_TLVS) {
    // The echoed length comes from the datagram: checked before it is aligned, since `& ~3` on
    // a u32 past 2^31 would give a negative offset (and subarray counts those from the end).
    if (!(msg.flags & NLM_F_CAPPED) && length > p.length - 4) {
      throw new NetlinkParseError(`NLMSG_ERROR shorter than its echoed request (length ${length})`, 4);
    }
    const echoed = msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : (length + 3) & ~3;
    const tlvStart = 4 + echoed;
    if (tlvStart > p.length) throw new NetlinkParseError('NLMSG_ERROR shorter than its echoed request', 4);
    const attrs = decodeAttrs(p.subarray(tlvStart), extAckSchema, tlvStart);
    const text = findAttr(attrs, NLMSGERR_ATTR_MSG)?.value;
    const offs = findAttr(attrs, NLMSGERR_ATTR_OFFS)?.value;
    const miss = findAttr(attrs, NLMSGERR_ATTR_MISS_TYPE)?.value;
    if (typeof text === 'string') out.message = text;
    if (typeof offs === 'number') out.offset = offs;
    if (typeof miss === 'number') out.missType = miss;
  }
  return out;
}
