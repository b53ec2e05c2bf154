/**
 * Attribute schemas are data: each attribute has a field name, its kernel constant (C name and
 * number), a value type, the nested schema when it nests, and a line of documentation. The codec
 * (`attributes.ts`) and the readable views (`view.ts`) are driven by these tables.
 */
import type { Attr } from './attributes.js';

/** How an attribute's payload is laid out. */
export type AttrValueType =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 's32'
  /** 16-bit in network byte order (UDP ports, ethertypes). */
  | 'be16'
  /** 32-bit in network byte order. */
  | 'be32'
  /** Zero-length attribute; present means true. */
  | 'flag'
  /** NUL-terminated UTF-8 string. */
  | 'string'
  /** Opaque bytes (structs this layer does not take apart). */
  | 'binary'
  /** Link-layer address of any length, `aa:bb:cc:...`. */
  | 'lladdr'
  | 'ipv4'
  | 'ipv6'
  /** IPv4 or IPv6 by length (4 or 16 bytes). */
  | 'ip'
  /** Nested attributes (schema from `nested`, or from `resolve` for kind-specific data). */
  | 'nested'
  /** A `struct ifinfomsg` followed by link attributes (the veth peer). */
  | 'ifinfo';

/** One attribute of a schema. */
export interface AttrSpec {
  /** Field name used in views and specs (camelCase). */
  readonly name: string;
  /** The kernel's C name, such as `IFLA_MTU`. */
  readonly constant: string;
  /** The attribute type number. */
  readonly type: number;
  /** Payload layout. */
  readonly value: AttrValueType;
  /** What the attribute means. */
  readonly doc: string;
  /** For 'nested' and 'ifinfo': the schema of the nested attributes (a thunk, so schemas can refer to each other). */
  readonly nested?: () => AttrSchema;
  /** For 'nested' whose schema depends on a sibling (IFLA_INFO_DATA depends on IFLA_INFO_KIND). */
  readonly resolve?: (siblings: readonly Attr[]) => AttrSchema | undefined;
}

/** A set of attributes that share a type space. */
export interface AttrSchema {
  /** Name for messages and docs, such as 'IFLA' or 'IFLA_BR'. */
  readonly name: string;
  readonly attrs: readonly AttrSpec[];
  readonly byType: ReadonlyMap<number, AttrSpec>;
  readonly byName: ReadonlyMap<string, AttrSpec>;
}

/** Builds a schema from its attribute table, checking that numbers and names are unique. */
export function defineSchema(name: string, attrs: readonly AttrSpec[]): AttrSchema {
  const byType = new Map<number, AttrSpec>();
  const byName = new Map<string, AttrSpec>();
  for (const spec of attrs) {
    if (byType.has(spec.type)) throw new Error(`${name}: attribute type ${spec.type} defined twice`);
    if (byName.has(spec.name)) throw new Error(`${name}: attribute name ${spec.name} defined twice`);
    byType.set(spec.type, spec);
    byName.set(spec.name, spec);
  }
  return { name, attrs, byType, byName };
}

/** Short form for schema tables: `attr('mtu', 'IFLA_MTU', 4, 'u32', 'doc')`. */
export function attr(
  name: string,
  constant: string,
  type: number,
  value: AttrValueType,
  doc: string,
  extra: Pick<AttrSpec, 'nested' | 'resolve'> = {},
): AttrSpec {
  return { name, constant, type, value, doc, ...extra };
}
