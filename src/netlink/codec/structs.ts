/**
 * The fixed headers that follow `struct nlmsghdr` in rtnetlink messages: `struct ifinfomsg`
 * (links), `struct ifaddrmsg` (addresses) and `struct rtmsg` (routes), as in linux/rtnetlink.h
 * and linux/if_addr.h. Layouts are checked against the C headers by a unit test.
 */
import type { ByteWriter } from './writer.js';

/** `struct ifinfomsg` (16 bytes). */
export interface IfInfoMsg {
  family: number;
  /** ARPHRD_* device type. */
  type: number;
  /** Interface index (0: by name, or any). */
  index: number;
  /** IFF_* flags. */
  flags: number;
  /** Which IFF_* flags to change. */
  change: number;
}
export const IFINFOMSG_LEN = 16;

/** `struct ifaddrmsg` (8 bytes). */
export interface IfAddrMsg {
  family: number;
  prefixlen: number;
  flags: number;
  scope: number;
  index: number;
}
export const IFADDRMSG_LEN = 8;

/** `struct rtmsg` (12 bytes). */
export interface RtMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}
export const RTMSG_LEN = 12;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function decodeIfInfo(b: Uint8Array): IfInfoMsg {
  const dv = view(b);
  return {
    family: b[0],
    type: dv.getUint16(2, true),
    index: dv.getInt32(4, true),
    flags: dv.getUint32(8, true),
    change: dv.getUint32(12, true),
  };
}

export function encodeIfInfo(w: ByteWriter, h: IfInfoMsg): void {
  w.u8(h.family);
  w.u8(0);
  w.u16(h.type);
  w.s32(h.index);
  w.u32(h.flags >>> 0);
  w.u32(h.change >>> 0);
}

export function decodeIfAddr(b: Uint8Array): IfAddrMsg {
  return { family: b[0], prefixlen: b[1], flags: b[2], scope: b[3], index: view(b).getUint32(4, true) };
}

export function encodeIfAddr(w: ByteWriter, h: IfAddrMsg): void {
  w.u8(h.family);
  w.u8(h.prefixlen);
  w.u8(h.flags);
  w.u8(h.scope);
  w.u32(h.index);
}

export function decodeRtMsg(b: Uint8Array): RtMsg {
  return {
    family: b[0],
    dstLen: b[1],
    srcLen: b[2],
    tos: b[3],
    table: b[4],
    protocol: b[5],
    scope: b[6],
    type: b[7],
    flags: view(b).getUint32(8, true),
  };
}

export function encodeRtMsg(w: ByteWriter, h: RtMsg): void {
  for (const v of [h.family, h.dstLen, h.srcLen, h.tos, h.table, h.protocol, h.scope, h.type]) w.u8(v);
  w.u32(h.flags >>> 0);
}
