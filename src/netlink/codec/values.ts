/**
 * Scalar payload codecs. Decoding is strict: a payload that would not encode back to the same
 * bytes (wrong length, missing NUL, ...) is refused, and the attribute is then kept raw, which
 * makes decode-then-encode lossless.
 */
import type { AttrValueType } from './schema.js';

/** A decoded scalar value. */
export type ScalarValue = number | bigint | string | boolean | Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes `payload` as `type`, or returns undefined when it is not in canonical form. */
export function decodeScalar(type: AttrValueType, p: Uint8Array): ScalarValue | undefined {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  switch (type) {
    case 'u8':
      return p.length === 1 ? p[0] : undefined;
    case 'u16':
      return p.length === 2 ? dv.getUint16(0, true) : undefined;
    case 'u32':
      return p.length === 4 ? dv.getUint32(0, true) : undefined;
    case 's32':
      return p.length === 4 ? dv.getInt32(0, true) : undefined;
    case 'u64': {
      if (p.length !== 8) return undefined;
      const v = dv.getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'be16':
      return p.length === 2 ? dv.getUint16(0, false) : undefined;
    case 'be32':
      return p.length === 4 ? dv.getUint32(0, false) : undefined;
    case 'flag':
      return p.length === 0 ? true : undefined;
    case 'string': {
      if (p.length === 0 || p[p.length - 1] !== 0) return undefined;
      const body = p.subarray(0, p.length - 1);
      if (body.includes(0)) return undefined;
      try {
        return utf8.decode(body);
      } catch {
        return undefined;
      }
    }
    case 'binary':
      return Uint8Array.from(p);
    case 'lladdr':
      return formatLladdr(p);
    case 'ipv4':
      return p.length === 4 ? formatIPv4(p) : undefined;
    case 'ipv6':
      return p.length === 16 ? formatIPv6(p) : undefined;
    case 'ip':
      return p.length === 4 ? formatIPv4(p) : p.length === 16 ? formatIPv6(p) : undefined;
    default:
      return undefined;
  }
}

/** Encodes a scalar; throws a TypeError naming the problem when `value` does not fit `type`. */
export function encodeScalar(type: AttrValueType, value: unknown): Uint8Array {
  switch (type) {
    case 'u8':
      return intBytes(1, value, 0, 0xff, (dv, v) => dv.setUint8(0, v));
    case 'u16':
      return intBytes(2, value, 0, 0xffff, (dv, v) => dv.setUint16(0, v, true));
    case 'u32':
      return intBytes(4, value, 0, 0xffffffff, (dv, v) => dv.setUint32(0, v, true));
    case 's32':
      return intBytes(4, value, -0x80000000, 0x7fffffff, (dv, v) => dv.setInt32(0, v, true));
    case 'be16':
      return intBytes(2, value, 0, 0xffff, (dv, v) => dv.setUint16(0, v, false));
    case 'be32':
      return intBytes(4, value, 0, 0xffffffff, (dv, v) => dv.setUint32(0, v, false));
    case 'u64': {
      const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
      if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn)
        throw new TypeError(`expected u64, got ${show(value)}`);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, v, true);
      return b;
    }
    case 'flag':
      if (value !== true) throw new TypeError(`expected true for a flag, got ${show(value)}`);
      return new Uint8Array(0);
    case 'string':
      if (typeof value !== 'string' || value.includes('\0'))
        throw new TypeError(`expected a string, got ${show(value)}`);
      return concatNul(utf8Encoder.encode(value));
    case 'binary':
      if (!(value instanceof Uint8Array)) throw new TypeError(`expected bytes, got ${show(value)}`);
      return value;
    case 'lladdr':
      return parseLladdr(value);
    case 'ipv4':
      return parseIPv4(value);
    case 'ipv6':
      return parseIPv6(value);
    case 'ip':
      return typeof value === 'string' && value.includes(':') ? parseIPv6(value) : parseIPv4(value);
    default:
      throw new TypeError(`${type} is not a scalar type`);
  }
}

function intBytes(
  size: number,
  value: unknown,
  min: number,
  max: number,
  set: (dv: DataView, v: number) => void,
): Uint8Array {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`expected an integer in ${min}..${max}, got ${show(value)}`);
  }
  const b = new Uint8Array(size);
  set(new DataView(b.buffer), value);
  return b;
}

function concatNul(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}

/** `aa:bb:cc:dd:ee:ff` (any length, lower case). */
export function formatLladdr(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Parses colon-separated hex bytes (`''` is the empty address). */
export function parseLladdr(value: unknown): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`expected a link-layer address, got ${show(value)}`);
  if (value === '') return new Uint8Array(0);
  const parts = value.split(':');
  if (!parts.every((x) => /^[0-9a-fA-F]{2}$/.test(x))) {
    throw new TypeError(`expected a link-layer address like fa:16:3e:00:00:01, got ${show(value)}`);
  }
  return Uint8Array.from(parts, (x) => Number.parseInt(x, 16));
}

/** Dotted quad. */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Parses a dotted quad (exactly four decimal parts 0-255, no leading zeros). */
export function parseIPv4(value: unknown): Uint8Array {
  const m = typeof value === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value) : null;
  const parts = m ? m.slice(1).map(Number) : [];
  if (!m || parts.some((x, i) => x > 255 || (m[i + 1].length > 1 && m[i + 1][0] === '0'))) {
    throw new TypeError(`expected an IPv4 address, got ${show(value)}`);
  }
  return Uint8Array.from(parts);
}

/** RFC 5952 text form (longest run of two or more zero groups becomes '::'). */
export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Parses an IPv6 address (with '::' and an optional trailing dotted quad). */
export function parseIPv6(value: unknown): Uint8Array {
  const bad = () => new TypeError(`expected an IPv6 address, got ${show(value)}`);
  if (typeof value !== 'string' || value.length > 45) throw bad();
  let text = value;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    const prefix = text.slice(0, lastColon + 1);
    text = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const all = [...head, ...rest];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) throw bad();
  const fill = 8 - tail.length - head.length - rest.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) throw bad();
  const groups = [
    ...head.map((g) => Number.parseInt(g, 16)),
    ...new Array<number>(halves.length === 2 ? fill : 0).fill(0),
    ...rest.map((g) => Number.parseInt(g, 16)),
    ...tail,
  ];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
