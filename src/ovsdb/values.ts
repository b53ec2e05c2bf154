/**
 * OVSDB values (RFC 7047 section 5.1) as plain TypeScript, and back.
 *
 * | wire                         | TypeScript                                   |
 * | ---------------------------- | -------------------------------------------- |
 * | string, number, boolean      | the same                                     |
 * | `["uuid", "…"]`              | {@link Uuid}                                 |
 * | `["named-uuid", "name"]`     | {@link NamedUuid}                            |
 * | `["set", [a, b]]`            | `[a, b]` (an array)                          |
 * | `["map", [[k, v], …]]`       | `Map<k, v>`                                  |
 *
 * Without a schema a lone atom stays an atom. With a column type (see `schema.ts`) the
 * single-element-set shorthand is resolved both ways: a set column always reads as an array, an
 * optional scalar as the value or `null`, and on write a one-element array or a bare value
 * become the atom the server expects.
 */

import { OvsdbProtocolError } from './errors.js';

/** A row's UUID. Compare with {@link Uuid.equals} or by `id`. */
export class Uuid {
  /** The UUID in its canonical 36-character form. */
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
  /** Same UUID. */
  equals(other: Uuid | string): boolean {
    return this.id === (typeof other === 'string' ? other : other.id);
  }
  /** The canonical form. */
  toString(): string {
    return this.id;
  }
  /** The wire form `["uuid", id]`. */
  toJSON(): ['uuid', string] {
    return ['uuid', this.id];
  }
}

/** A reference, within one transaction, to a row inserted with `uuidName`. */
export class NamedUuid {
  /** The `uuid-name` of the insert. */
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  /** The `uuid-name`. */
  toString(): string {
    return this.name;
  }
  /** The wire form `["named-uuid", name]`. */
  toJSON(): ['named-uuid', string] {
    return ['named-uuid', this.name];
  }
}

/** Shorthand for `new Uuid(id)`. */
export const uuid = (id: string): Uuid => new Uuid(id);
/** Shorthand for `new NamedUuid(name)`. */
export const namedUuid = (name: string): NamedUuid => new NamedUuid(name);

/** One OVSDB atom. */
export type Atom = string | number | boolean | Uuid | NamedUuid;
/** An OVSDB value: an atom, a set (array), a map, or `null` for an empty optional column. */
export type Value = Atom | Atom[] | Map<Atom, Atom> | null;
/** A row, column name to value. */
export type Row = Record<string, Value>;

/** The pattern of a UUID atom. */
export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The pattern of an `<id>` (table names, column names, uuid-names). */
export const ID_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An atom in wire form. */
export type WireAtom = string | number | boolean | ['uuid', string] | ['named-uuid', string];
/** A value in wire form. */
export type WireValue = WireAtom | ['set', WireAtom[]] | ['map', [WireAtom, WireAtom][]];

/** Encodes one atom. */
export function atomToWire(a: Atom): WireAtom {
  if (a instanceof Uuid) return ['uuid', a.id];
  if (a instanceof NamedUuid) return ['named-uuid', a.name];
  return a;
}

/**
 * Encodes a value without a schema: arrays become sets, Maps and plain objects maps,
 * `null` the empty set.
 */
export function valueToWire(v: Value | Record<string, Atom>): WireValue {
  if (v === null) return ['set', []];
  if (Array.isArray(v)) return ['set', v.map(atomToWire)];
  if (v instanceof Map) return ['map', [...v].map(([k, x]) => [atomToWire(k), atomToWire(x)])];
  if (typeof v === 'object' && !(v instanceof Uuid) && !(v instanceof NamedUuid)) {
    return ['map', Object.entries(v).map(([k, x]) => [k, atomToWire(x)])];
  }
  return atomToWire(v);
}

/** Decodes one atom; throws {@link OvsdbProtocolError} when `w` is not one. */
export function atomFromWire(w: unknown): Atom {
  if (typeof w === 'string' || typeof w === 'number' || typeof w === 'boolean') return w;
  if (Array.isArray(w) && w.length === 2 && typeof w[1] === 'string') {
    if (w[0] === 'uuid') return new Uuid(w[1]);
    if (w[0] === 'named-uuid') return new NamedUuid(w[1]);
  }
  throw new OvsdbProtocolError(`not an OVSDB atom: ${shortJson(w)}`);
}

/** Decodes a value without a schema (a lone atom stays an atom); {@link OvsdbProtocolError} when malformed. */
export function valueFromWire(w: unknown): Value {
  if (Array.isArray(w) && w.length === 2 && Array.isArray(w[1])) {
    if (w[0] === 'set') return (w[1] as unknown[]).map(atomFromWire);
    if (w[0] === 'map') return mapFromWire(w);
  }
  return atomFromWire(w);
}

/**
 * The atoms of a set-typed wire value: `["set", [...]]` or a lone atom (the one-element
 * shorthand). {@link OvsdbProtocolError} when malformed.
 */
export function setAtomsFromWire(w: unknown): Atom[] {
  if (Array.isArray(w) && w[0] === 'set') {
    if (w.length !== 2 || !Array.isArray(w[1])) throw new OvsdbProtocolError(`bad set: ${shortJson(w)}`);
    return (w[1] as unknown[]).map(atomFromWire);
  }
  return [atomFromWire(w)];
}

/** The pairs of a `["map", [[k, v], ...]]` wire value (UUID keys as their id); {@link OvsdbProtocolError} when malformed. */
export function mapFromWire(w: unknown): Map<Atom, Atom> {
  if (!Array.isArray(w) || w.length !== 2 || w[0] !== 'map' || !Array.isArray(w[1]))
    throw new OvsdbProtocolError(`not an OVSDB map: ${shortJson(w)}`);
  const m = new Map<Atom, Atom>();
  for (const pair of w[1] as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new OvsdbProtocolError(`bad map pair: ${shortJson(pair)}`);
    m.set(atomKey(atomFromWire(pair[0])), atomFromWire(pair[1]));
  }
  return m;
}

/**
 * Map keys are compared by identity in JS; UUID keys are therefore stored as their string id so
 * that `map.get(id)` works. Other atoms are used as they are.
 */
export function atomKey(a: Atom): Atom {
  return a instanceof Uuid ? a.id : a;
}

/** Structural equality of two values (sets and maps order-insensitive). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) {
    const other = a === null ? b : a;
    return Array.isArray(other) && other.length === 0;
  }
  if (a instanceof Uuid || b instanceof Uuid) {
    return a instanceof Uuid && b instanceof Uuid && a.id === b.id;
  }
  if (a instanceof NamedUuid || b instanceof NamedUuid) {
    return a instanceof NamedUuid && b instanceof NamedUuid && a.name === b.name;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const keys = new Set(a.map(atomSortKey));
    return b.every((x) => keys.has(atomSortKey(x)));
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !valuesEqual(v, b.get(k)!)) return false;
    }
    return true;
  }
  return false;
}

/** A string that identifies an atom (for sets, sorting and dedup). */
export function atomSortKey(a: Atom): string {
  if (a instanceof Uuid) return `u:${a.id}`;
  if (a instanceof NamedUuid) return `n:${a.name}`;
  return `${typeof a}:${String(a)}`;
}

/** JSON of a value for an error message, cut at 200 characters. */
export function shortJson(v: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = undefined;
  }
  s ??= typeof v;
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
