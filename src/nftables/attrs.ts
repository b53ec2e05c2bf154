/**
 * nf_tables attributes on the wire: netlink TLVs whose integers are big-endian (network order),
 * nests flagged NLA_F_NESTED as libnftnl writes them; and a reader that splits a payload into
 * attributes, refusing impossible lengths.
 */
import type { ByteWriter } from '../netlink/codec/writer.js';
import { NftablesParseError } from './errors.js';

const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Writes one attribute; `body` writes its payload. */
export function attr(w: ByteWriter, type: number, body: (w: ByteWriter) => void): void {
  const start = w.length;
  w.u16(0);
  w.u16(type);
  body(w);
  w.patchU16(start, w.length - start);
  w.align();
}

/** A nest (NLA_F_NESTED set, as libmnl's `mnl_attr_nest_start`). */
export function nest(w: ByteWriter, type: number, body: (w: ByteWriter) => void): void {
  attr(w, type | NLA_F_NESTED, body);
}

/** A NUL-terminated string. */
export function strz(w: ByteWriter, type: number, s: string): void {
  attr(w, type, (b) => {
    b.bytes(encoder.encode(s));
    b.u8(0);
  });
}

/** A big-endian u32. */
export function be32(w: ByteWriter, type: number, v: number): void {
  attr(w, type, (b) => b.bytes(be32Bytes(v)));
}

/** A big-endian u64. */
export function be64(w: ByteWriter, type: number, v: bigint): void {
  attr(w, type, (b) => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v));
    b.bytes(out);
  });
}

/** Raw bytes. */
export function binary(w: ByteWriter, type: number, v: Uint8Array): void {
  attr(w, type, (b) => b.bytes(v));
}

/** 4 bytes holding `v` big-endian (signed values as two's complement). */
export function be32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0);
  return out;
}

/** The UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** One attribute read back: its type without flags, and its payload (a view). */
export interface RawAttr {
  type: number;
  payload: Uint8Array;
}

/** Splits `bytes` into attributes; throws {@link NftablesParseError} on an impossible length. */
export function readAttrs(bytes: Uint8Array): RawAttr[] {
  const out: RawAttr[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + 4 <= bytes.length) {
    const len = dv.getUint16(off, true);
    const type = dv.getUint16(off + 2, true) & NLA_TYPE_MASK;
    if (len < 4 || off + len > bytes.length)
      throw new NftablesParseError(`attribute ${type} has length ${len}`);
    out.push({ type, payload: bytes.subarray(off + 4, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

/** The first attribute of `type`. */
export function find(attrs: readonly RawAttr[], type: number): Uint8Array | undefined {
  for (const a of attrs) if (a.type === type) return a.payload;
  return undefined;
}

/** A NUL-terminated (or unterminated) string payload. */
export function readString(p: Uint8Array | undefined): string | undefined {
  if (!p) return undefined;
  const end = p.indexOf(0);
  return decoder.decode(end < 0 ? p : p.subarray(0, end));
}

/** A big-endian u32 payload (undefined when absent or not 4 bytes). */
export function readBe32(p: Uint8Array | undefined): number | undefined {
  if (p?.length !== 4) return undefined;
  return new DataView(p.buffer, p.byteOffset, 4).getUint32(0);
}

/** A big-endian s32 payload. */
export function readBeS32(p: Uint8Array | undefined): number | undefined {
  if (p?.length !== 4) return undefined;
  return new DataView(p.buffer, p.byteOffset, 4).getInt32(0);
}

/** A big-endian u64 payload. */
export function readBe64(p: Uint8Array | undefined): bigint | undefined {
  if (p?.length !== 8) return undefined;
  return new DataView(p.buffer, p.byteOffset, 8).getBigUint64(0);
}
