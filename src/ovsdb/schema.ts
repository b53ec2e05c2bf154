/**
 * A database schema (RFC 7047 section 3.2) as read from `get_schema`, and the column codec it
 * drives: every value going to the server is checked against its column's type (atom type,
 * enum, integer/real range, string length, set size, references) and encoded; every value
 * coming back is decoded with the single-element-set shorthand resolved.
 */
import { OvsdbProtocolError, OvsdbSchemaError } from './errors.js';
import {
  type Atom,
  atomSortKey,
  mapFromWire,
  NamedUuid,
  setAtomsFromWire,
  shortJson,
  UUID_RE,
  Uuid,
  type Value,
  type WireAtom,
  type WireValue,
} from './values.js';

/** An atomic type with its constraints. */
export interface BaseType {
  type: 'integer' | 'real' | 'boolean' | 'string' | 'uuid';
  enum?: Atom[];
  minInteger?: number;
  maxInteger?: number;
  minReal?: number;
  maxReal?: number;
  minLength?: number;
  maxLength?: number;
  refTable?: string;
  refType?: 'strong' | 'weak';
}

/** A column type: a key, an optional value (then it is a map), and a size range. */
export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  /** `Infinity` for "unlimited". */
  max: number;
}

/** One column. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
  ephemeral: boolean;
  mutable: boolean;
}

/** One table. */
export interface TableSchema {
  name: string;
  columns: Map<string, ColumnSchema>;
  isRoot: boolean;
  maxRows: number | undefined;
  indexes: string[][];
}

const UUID_COLUMN: ColumnSchema = {
  name: '_uuid',
  type: { key: { type: 'uuid' }, min: 1, max: 1 },
  ephemeral: false,
  mutable: false,
};
const VERSION_COLUMN: ColumnSchema = { ...UUID_COLUMN, name: '_version' };

/** A parsed database schema. */
export class DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly tables: Map<string, TableSchema>;
  /** The JSON the server sent. */
  readonly raw: unknown;

  private constructor(name: string, version: string, tables: Map<string, TableSchema>, raw: unknown) {
    this.name = name;
    this.version = version;
    this.tables = tables;
    this.raw = raw;
  }

  /** Parses a `get_schema` result; throws {@link OvsdbSchemaError} when it is not one. */
  static parse(json: unknown): DatabaseSchema {
    const o = asObject(json, 'schema');
    if (typeof o.name !== 'string') throw new OvsdbSchemaError('schema name is not a string');
    if (o.version !== undefined && typeof o.version !== 'string')
      throw new OvsdbSchemaError('schema version is not a string');
    const name = o.name;
    const tables = new Map<string, TableSchema>();
    for (const [tname, tjson] of Object.entries(asObject(o.tables, 'tables'))) {
      const t = asObject(tjson, tname);
      const columns = new Map<string, ColumnSchema>();
      for (const [cname, cjson] of Object.entries(asObject(t.columns, `${tname}.columns`))) {
        const c = asObject(cjson, `${tname}.${cname}`);
        columns.set(cname, {
          name: cname,
          type: parseColumnType(c.type, tname, cname),
          ephemeral: c.ephemeral === true,
          mutable: c.mutable !== false,
        });
      }
      tables.set(tname, {
        name: tname,
        columns,
        isRoot: t.isRoot === true,
        maxRows: typeof t.maxRows === 'number' ? t.maxRows : undefined,
        indexes: Array.isArray(t.indexes) ? (t.indexes as string[][]) : [],
      });
    }
    return new DatabaseSchema(name, o.version ?? '', tables, json);
  }

  /** The table, or an {@link OvsdbSchemaError} naming it. */
  table(name: string): TableSchema {
    const t = this.tables.get(name);
    if (!t) throw new OvsdbSchemaError(`unknown table in database ${this.name}`, name);
    return t;
  }

  /** The column (including `_uuid` and `_version`), or an {@link OvsdbSchemaError}. */
  column(table: string, name: string): ColumnSchema {
    if (name === '_uuid') return UUID_COLUMN;
    if (name === '_version') return VERSION_COLUMN;
    const c = this.table(table).columns.get(name);
    if (!c) throw new OvsdbSchemaError('unknown column', table, name);
    return c;
  }

  /** Checks and encodes one column value for the wire. */
  encode(table: string, column: string, value: unknown): WireValue {
    return encodeValue(this.column(table, column), value, table);
  }

  /** Decodes one column value from the wire (shorthand resolved). */
  decode(table: string, column: string, wire: unknown): Value {
    const c =
      column === '_uuid' || column === '_version' ? UUID_COLUMN : this.table(table).columns.get(column);
    if (!c) return null;
    return decodeValue(c.type, wire);
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new OvsdbSchemaError(`${what} is not a JSON object`);
  }
  return v as Record<string, unknown>;
}

function parseBase(j: unknown, t: string, c: string): BaseType {
  if (typeof j === 'string') return { type: j as BaseType['type'] };
  const o = asObject(j, `${t}.${c} type`);
  const b: BaseType = { type: o.type as BaseType['type'] };
  if (o.enum !== undefined) {
    const e = o.enum;
    try {
      b.enum = setAtomsFromWire(e);
    } catch {
      throw new OvsdbSchemaError(`${t}.${c} enum is not a set of atoms`);
    }
  }
  for (const k of ['minInteger', 'maxInteger', 'minReal', 'maxReal', 'minLength', 'maxLength'] as const) {
    if (typeof o[k] === 'number') b[k] = o[k] as number;
  }
  if (typeof o.refTable === 'string') {
    b.refTable = o.refTable;
    b.refType = o.refType === 'weak' ? 'weak' : 'strong';
  }
  return b;
}

function parseColumnType(j: unknown, t: string, c: string): ColumnType {
  if (typeof j === 'string') return { key: { type: j as BaseType['type'] }, min: 1, max: 1 };
  const o = asObject(j, `${t}.${c} type`);
  const ct: ColumnType = {
    key: parseBase(o.key, t, c),
    min: typeof o.min === 'number' ? o.min : 1,
    max: o.max === 'unlimited' ? Number.POSITIVE_INFINITY : typeof o.max === 'number' ? o.max : 1,
  };
  if (o.value !== undefined) ct.value = parseBase(o.value, t, c);
  return ct;
}

/** How a column reads in TypeScript. */
export function columnKind(t: ColumnType): 'map' | 'set' | 'optional' | 'scalar' {
  if (t.value) return 'map';
  if (t.max > 1) return 'set';
  if (t.min === 0) return 'optional';
  return 'scalar';
}

/** Checks one atom against its base type and encodes it. */
export function encodeAtom(b: BaseType, a: unknown, table?: string, column?: string): WireAtom {
  const bad = (why: string): never => {
    throw new OvsdbSchemaError(why, table, column, a);
  };
  switch (b.type) {
    case 'integer':
      if (typeof a !== 'number' || !Number.isSafeInteger(a)) bad('expected an integer');
      if (b.minInteger !== undefined && (a as number) < b.minInteger)
        bad(`below the minimum ${b.minInteger}`);
      if (b.maxInteger !== undefined && (a as number) > b.maxInteger)
        bad(`above the maximum ${b.maxInteger}`);
      break;
    case 'real':
      if (typeof a !== 'number' || !Number.isFinite(a)) bad('expected a real number');
      if (b.minReal !== undefined && (a as number) < b.minReal) bad(`below the minimum ${b.minReal}`);
      if (b.maxReal !== undefined && (a as number) > b.maxReal) bad(`above the maximum ${b.maxReal}`);
      break;
    case 'boolean':
      if (typeof a !== 'boolean') bad('expected a boolean');
      break;
    case 'string': {
      if (typeof a !== 'string') bad('expected a string');
      // RFC 7047 strings are UTF-8; ovsdb-server drops the connection on \u0000
      if (/\p{Cs}/u.test(a as string)) bad('not valid Unicode (a lone surrogate has no UTF-8 form)');
      if ((a as string).includes('\0')) bad('contains NUL, which OVSDB does not accept');
      const len = [...(a as string)].length;
      if (b.minLength !== undefined && len < b.minLength) bad(`shorter than ${b.minLength} characters`);
      if (b.maxLength !== undefined && len > b.maxLength) bad(`longer than ${b.maxLength} characters`);
      break;
    }
    case 'uuid':
      if (a instanceof Uuid) {
        if (!UUID_RE.test(a.id)) bad('malformed uuid');
        return ['uuid', a.id];
      }
      if (a instanceof NamedUuid) return ['named-uuid', a.name];
      if (typeof a === 'string' && UUID_RE.test(a)) return ['uuid', a];
      bad(b.refTable ? `expected a reference to a ${b.refTable} row (Uuid or NamedUuid)` : 'expected a uuid');
  }
  if (b.enum && !b.enum.some((e) => atomSortKey(e) === atomSortKey(a as Atom))) {
    bad(`not one of ${b.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  return a as WireAtom;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Map) &&
    !(v instanceof Uuid) &&
    !(v instanceof NamedUuid)
  );
}

/** Checks a whole column value (size included) and encodes it. */
export function encodeValue(c: ColumnSchema, v: unknown, table?: string): WireValue {
  const t = c.type;
  const sizeCheck = (n: number) => {
    if (n < t.min)
      throw new OvsdbSchemaError(`needs at least ${t.min} element(s), got ${n}`, table, c.name, v);
    if (n > t.max)
      throw new OvsdbSchemaError(`allows at most ${t.max} element(s), got ${n}`, table, c.name, v);
  };
  if (t.value) {
    let entries: [unknown, unknown][];
    if (v instanceof Map) entries = [...v];
    else if (isPlainRecord(v)) entries = Object.entries(v);
    else if (v === null) entries = [];
    else throw new OvsdbSchemaError('expected a map (Map or object)', table, c.name, v);
    sizeCheck(entries.length);
    return [
      'map',
      entries.map(([k, x]) => [encodeAtom(t.key, k, table, c.name), encodeAtom(t.value!, x, table, c.name)]),
    ];
  }
  if (v instanceof Map || isPlainRecord(v))
    throw new OvsdbSchemaError('expected a set or an atom, not a map', table, c.name, v);
  const items = v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
  sizeCheck(items.length);
  const atoms = items.map((a) => encodeAtom(t.key, a, table, c.name));
  if (new Set(atoms.map((a) => JSON.stringify(a))).size !== atoms.length) {
    throw new OvsdbSchemaError('duplicate elements in a set', table, c.name, v);
  }
  return atoms.length === 1 ? atoms[0]! : ['set', atoms];
}

/** Decodes a wire value for a column type. */
export function decodeValue(t: ColumnType, w: unknown): Value {
  if (t.value) {
    const m = mapFromWire(w);
    for (const [k, v] of m) {
      checkWireAtom(t.key, k, true);
      checkWireAtom(t.value, v, false);
    }
    return m;
  }
  const items = checkWireAtoms(t.key, setAtomsFromWire(w));
  switch (columnKind(t)) {
    case 'set':
      return items;
    case 'optional':
      if (items.length > 1) throw new OvsdbProtocolError(`${items.length} values for an optional column`);
      return items[0] ?? null;
    default:
      if (items.length !== 1)
        throw new OvsdbProtocolError(`${items.length} values for a column of exactly one`);
      return items[0]!;
  }
}

/** `atoms`, each checked to be of type `b` (as the server sends it); {@link OvsdbProtocolError} otherwise. */
export function checkWireAtoms(b: BaseType, atoms: Atom[]): Atom[] {
  for (const a of atoms) checkWireAtom(b, a, false);
  return atoms;
}

/** Map keys of type uuid are held as their id (see `atomKey`). */
function checkWireAtom(b: BaseType, a: Atom, mapKey: boolean): void {
  const ok =
    b.type === 'integer'
      ? Number.isInteger(a)
      : b.type === 'real'
        ? typeof a === 'number'
        : b.type === 'boolean'
          ? typeof a === 'boolean'
          : b.type === 'string'
            ? typeof a === 'string'
            : a instanceof Uuid || (mapKey && typeof a === 'string' && UUID_RE.test(a));
  if (!ok) throw new OvsdbProtocolError(`expected ${b.type}, got ${shortJson(a)}`);
}
