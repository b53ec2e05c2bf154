/**
 * Netlink attributes (`struct nlattr`: u16 length, u16 type, payload padded to 4 bytes),
 * decoded and encoded by schema. Attributes are kept as an ordered list, so the order and any
 * attribute this layer does not know survive a round trip; unknown or non-canonical payloads
 * stay raw bytes.
 */
import { NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { NetlinkParseError } from './parse-error.js';
import type { AttrSchema, AttrSpec } from './schema.js';
import { decodeIfInfo, encodeIfInfo, IFINFOMSG_LEN, type IfInfoMsg } from './structs.js';
import { decodeScalar, encodeScalar, type ScalarValue } from './values.js';
import type { ByteWriter } from './writer.js';

/** The payload of an `ifinfo` attribute (the veth peer): header plus link attributes. */
export interface IfInfoValue {
  header: IfInfoMsg;
  attrs: Attr[];
}

/** A decoded attribute value: a scalar, a list of nested attributes, or an ifinfo block. */
export type AttrValue = ScalarValue | Attr[] | IfInfoValue;

/** One attribute. `type` keeps the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits as sent. */
export interface Attr {
  type: number;
  value: AttrValue;
  /**
   * The payload exactly as received, kept only when `value` would encode differently (a string
   * sent without its NUL, as iproute2 sends IFLA_INFO_KIND). The encoder writes it as is.
   */
  raw?: Uint8Array;
}

/**
 * Decodes the attributes in `bytes` with `schema` (undefined: everything raw). Throws
 * {@link NetlinkParseError} when a length is impossible; payloads that do not match their declared
 * type are kept raw.
 */
export function decodeAttrs(bytes: Uint8Array, schema: AttrSchema | undefined, base = 0): Attr[] {
  const out: Attr[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + NLA_HDRLEN <= bytes.length) {
    const len = dv.getUint16(off, true);
    const type = dv.getUint16(off + 2, true);
    if (len < NLA_HDRLEN || off + len > bytes.length) {
      throw new NetlinkParseError(`attribute ${type} at ${base + off} has length ${len}`, base + off);
    }
    const payload = bytes.subarray(off + NLA_HDRLEN, off + len);
    const spec = schema?.byType.get(type & NLA_TYPE_MASK);
    const value = decodeValue(spec, payload, out, base + off + NLA_HDRLEN);
    if (spec?.value === 'string' && value instanceof Uint8Array) {
      const text = decodeScalar('string', concatNul(payload)); // iproute2 style: no NUL
      out.push(typeof text === 'string' ? { type, value: text, raw: value } : { type, value });
    } else {
      out.push({ type, value });
    }
    off += (len + 3) & ~3;
  }
  if (off !== bytes.length) {
    // bytes that are no attribute, or a last attribute without its padding: not canonical
    const what =
      off > bytes.length ? 'last attribute without its padding' : `${bytes.length - off} stray bytes`;
    throw new NetlinkParseError(
      `${what} at ${base + Math.min(off, bytes.length)}`,
      base + Math.min(off, bytes.length),
    );
  }
  return out;
}

function decodeValue(
  spec: AttrSpec | undefined,
  payload: Uint8Array,
  siblings: Attr[],
  base: number,
): AttrValue {
  if (!spec) return Uint8Array.from(payload);
  if (spec.value === 'nested') {
    const schema = spec.resolve ? spec.resolve(siblings) : spec.nested?.();
    try {
      return decodeAttrs(payload, schema, base);
    } catch (e) {
      if (e instanceof NetlinkParseError) return Uint8Array.from(payload); // keep a malformed nest raw
      throw e;
    }
  }
  if (spec.value === 'ifinfo') {
    if (payload.length < IFINFOMSG_LEN) return Uint8Array.from(payload);
    try {
      return {
        header: decodeIfInfo(payload),
        attrs: decodeAttrs(payload.subarray(IFINFOMSG_LEN), spec.nested?.(), base + IFINFOMSG_LEN),
      };
    } catch (e) {
      if (e instanceof NetlinkParseError) return Uint8Array.from(payload);
      throw e;
    }
  }
  return decodeScalar(spec.value, payload) ?? Uint8Array.from(payload);
}

/** Encodes attributes with `schema`; an attribute the schema does not know must hold raw bytes. */
export function encodeAttrs(w: ByteWriter, attrs: readonly Attr[], schema: AttrSchema | undefined): void {
  for (const a of attrs) {
    const start = w.length;
    w.u16(0);
    w.u16(a.type);
    const spec = schema?.byType.get(a.type & NLA_TYPE_MASK);
    encodeValue(w, spec, a, attrs, schema);
    w.patchU16(start, w.length - start);
    w.align();
  }
}

function encodeValue(
  w: ByteWriter,
  spec: AttrSpec | undefined,
  a: Attr,
  siblings: readonly Attr[],
  schema: AttrSchema | undefined,
): void {
  const v = a.value;
  if (a.raw) {
    w.bytes(a.raw);
    return;
  }
  if (v instanceof Uint8Array && spec?.value !== 'binary') {
    w.bytes(v); // raw: unknown attribute or a payload kept as it came
    return;
  }
  const where = `${schema?.name ?? '?'} attribute ${spec?.constant ?? a.type}`;
  if (!spec) throw new TypeError(`${where}: unknown attribute needs raw bytes`);
  if (spec.value === 'nested') {
    if (!Array.isArray(v)) throw new TypeError(`${where}: expected nested attributes`);
    encodeAttrs(w, v, spec.resolve ? spec.resolve(siblings) : spec.nested?.());
    return;
  }
  if (spec.value === 'ifinfo') {
    if (typeof v !== 'object' || v === null || !('header' in v))
      throw new TypeError(`${where}: expected ifinfo`);
    encodeIfInfo(w, v.header);
    encodeAttrs(w, v.attrs, spec.nested?.());
    return;
  }
  try {
    w.bytes(encodeScalar(spec.value, v));
  } catch (e) {
    throw new TypeError(`${where} (${spec.name}): ${(e as Error).message}`);
  }
}

function concatNul(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** The first attribute of `type` (flags ignored), or undefined. */
export function findAttr(attrs: readonly Attr[], type: number): Attr | undefined {
  for (const a of attrs) if ((a.type & NLA_TYPE_MASK) === type) return a;
  return undefined;
}

/**
 * A readable object from attributes: known ones by field name (nested ones recursively),
 * unknown ones left out. Raw payloads of known attributes (non-canonical) stay bytes.
 */
export function attrsToRecord(
  attrs: readonly Attr[],
  schema: AttrSchema | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!schema) return out;
  for (const a of attrs) {
    const spec = schema.byType.get(a.type & NLA_TYPE_MASK);
    if (!spec) continue;
    const v = a.value;
    if (spec.value === 'nested' && Array.isArray(v)) {
      out[spec.name] = attrsToRecord(v, spec.resolve ? spec.resolve(attrs) : spec.nested?.());
    } else if (spec.value === 'ifinfo' && typeof v === 'object' && v !== null && 'header' in v) {
      out[spec.name] = { header: v.header, ...attrsToRecord(v.attrs, spec.nested?.()) };
    } else {
      out[spec.name] = v;
    }
  }
  return out;
}

/**
 * Attributes from a record of field values, in the record's key order (undefined values are
 * skipped). Throws a TypeError for a field the schema does not have.
 */
export function recordToAttrs(record: Record<string, unknown>, schema: AttrSchema): Attr[] {
  const out: Attr[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const spec = schema.byName.get(name);
    if (!spec) throw new TypeError(`${schema.name} has no attribute '${name}'`);
    if (spec.value === 'flag' && value === false) continue;
    out.push({ type: spec.type, value: value as AttrValue });
  }
  return out;
}
