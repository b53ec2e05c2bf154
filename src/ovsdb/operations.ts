/**
 * Transaction operations (RFC 7047 section 5.2) in TypeScript form, their validation against
 * the schema, their wire encoding, and the decoding of their results.
 */
import { OvsdbSchemaError } from './errors.js';
import { type ColumnSchema, type DatabaseSchema, encodeValue } from './schema.js';
import { atomFromWire, ID_RE, NamedUuid, type Row, type Uuid, type Value, valueToWire } from './values.js';

/** A value as callers may write it: plain objects are accepted for maps. */
export type ValueInput = Value | Record<string, string | number | boolean> | undefined;
/** A row as callers may write it. */
export type RowInput = Record<string, ValueInput>;

/** Condition functions. */
export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
/** `[column, function, value]`. */
export type Condition = [column: string, fn: ConditionFunction, value: ValueInput];
/** Mutators. */
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
/** `[column, mutator, value]`. */
export type Mutation = [column: string, mutator: Mutator, value: ValueInput];

/** insert; `uuidName` lets later operations refer to the new row as `namedUuid(uuidName)`. */
export interface InsertOp {
  op: 'insert';
  table: string;
  row: RowInput;
  uuidName?: string;
  /** Ask the server to use this UUID (OVS extension). */
  uuid?: string;
}
/** select. */
export interface SelectOp {
  op: 'select';
  table: string;
  where: Condition[];
  columns?: string[];
}
/** update. */
export interface UpdateOp {
  op: 'update';
  table: string;
  where: Condition[];
  row: RowInput;
}
/** mutate. */
export interface MutateOp {
  op: 'mutate';
  table: string;
  where: Condition[];
  mutations: Mutation[];
}
/** delete. */
export interface DeleteOp {
  op: 'delete';
  table: string;
  where: Condition[];
}
/** wait: until the selected rows' `columns` are (`==`) or are not (`!=`) exactly `rows`. */
export interface WaitOp {
  op: 'wait';
  table: string;
  where: Condition[];
  columns: string[];
  until: '==' | '!=';
  rows: RowInput[];
  timeout?: number;
}
/** commit. */
export interface CommitOp {
  op: 'commit';
  durable: boolean;
}
/** abort. */
export interface AbortOp {
  op: 'abort';
}
/** comment. */
export interface CommentOp {
  op: 'comment';
  comment: string;
}
/** assert: fails with `not owner` unless this session holds `lock`. */
export interface AssertOp {
  op: 'assert';
  lock: string;
}
/** Any transaction operation. */
export type Operation =
  | InsertOp
  | SelectOp
  | UpdateOp
  | MutateOp
  | DeleteOp
  | WaitOp
  | CommitOp
  | AbortOp
  | CommentOp
  | AssertOp;

/** The result of one operation, decoded. */
export interface OperationResult {
  /** insert: the new row's UUID. */
  uuid?: Uuid;
  /** select: the rows. */
  rows?: Row[];
  /** update, mutate, delete: rows affected. */
  count?: number;
}

const CONDITION_FUNCTIONS = new Set(['<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes']);
const MUTATORS = new Set(['+=', '-=', '*=', '/=', '%=', 'insert', 'delete']);

function relaxed(c: ColumnSchema): ColumnSchema {
  return { ...c, type: { ...c.type, min: 0, max: Number.POSITIVE_INFINITY } };
}

function encodeRow(
  schema: DatabaseSchema,
  table: string,
  row: RowInput,
  forUpdate: boolean,
): Record<string, unknown> {
  if (typeof row !== 'object' || row === null) throw new OvsdbSchemaError('row must be an object', table);
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(row)) {
    if (v === undefined) continue;
    if (name === '_uuid' || name === '_version')
      throw new OvsdbSchemaError('read-only column', table, name, v);
    const c = schema.column(table, name);
    if (forUpdate && !c.mutable) throw new OvsdbSchemaError('immutable column', table, name, v);
    out[name] = encodeValue(c, v, table);
  }
  return out;
}

function encodeWhere(schema: DatabaseSchema, table: string, where: Condition[]): unknown[] {
  if (!Array.isArray(where)) throw new OvsdbSchemaError('where must be an array of conditions', table);
  return where.map((cond) => {
    if (!Array.isArray(cond) || cond.length !== 3)
      throw new OvsdbSchemaError('malformed condition', table, undefined, cond);
    const [col, fn, v] = cond;
    if (!CONDITION_FUNCTIONS.has(fn))
      throw new OvsdbSchemaError(`unknown condition function ${fn}`, table, col);
    const c = schema.column(table, col);
    if (['<', '<=', '>=', '>'].includes(fn) && !['integer', 'real'].includes(c.type.key.type)) {
      throw new OvsdbSchemaError(`${fn} needs an integer or real column`, table, col);
    }
    return [col, fn, encodeValue(relaxed(c), v, table)];
  });
}

function encodeMutation(schema: DatabaseSchema, table: string, m: Mutation): unknown[] {
  if (!Array.isArray(m) || m.length !== 3)
    throw new OvsdbSchemaError('malformed mutation', table, undefined, m);
  const [col, mut, v] = m;
  if (!MUTATORS.has(mut)) throw new OvsdbSchemaError(`unknown mutator ${mut}`, table, col);
  const c = schema.column(table, col);
  if (!c.mutable || col.startsWith('_')) throw new OvsdbSchemaError('immutable column', table, col);
  if (mut === 'insert' || mut === 'delete') {
    if (c.type.max === 1 && c.type.min === 1)
      throw new OvsdbSchemaError(`${mut} needs a set or map column`, table, col);
    if (
      mut === 'delete' &&
      c.type.value &&
      !(v instanceof Map) &&
      (Array.isArray(v) || typeof v !== 'object' || v === null)
    ) {
      // deleting keys from a map: a set of keys
      return [col, mut, encodeValue(relaxed({ ...c, type: { key: c.type.key, min: 0, max: 1 } }), v, table)];
    }
    return [col, mut, encodeValue(relaxed(c), v, table)];
  }
  if (c.type.value || !['integer', 'real'].includes(c.type.key.type)) {
    throw new OvsdbSchemaError(`${mut} needs an integer or real column`, table, col);
  }
  const scalar: ColumnSchema = {
    ...c,
    type: {
      key: {
        ...c.type.key,
        minInteger: undefined,
        maxInteger: undefined,
        minReal: undefined,
        maxReal: undefined,
      },
      min: 1,
      max: 1,
    },
  };
  if (mut === '/=' || mut === '%=') {
    if (v === 0) throw new OvsdbSchemaError('division by zero', table, col, v);
  }
  return [col, mut, encodeValue(scalar, v, table)];
}

/**
 * Validates every operation against the schema and encodes the list for `transact`. Throws
 * {@link OvsdbSchemaError} (naming table, column and value) on the first problem: nothing is sent.
 */
export function encodeOperations(schema: DatabaseSchema, ops: readonly Operation[]): unknown[] {
  if (!Array.isArray(ops)) throw new OvsdbSchemaError('operations must be an array');
  const declared = new Set<string>();
  for (const op of ops) {
    if (op?.op === 'insert' && op.uuidName !== undefined) {
      if (!ID_RE.test(op.uuidName))
        throw new OvsdbSchemaError('uuid-name is not an <id>', op.table, undefined, op.uuidName);
      if (declared.has(op.uuidName))
        throw new OvsdbSchemaError('duplicate uuid-name', op.table, undefined, op.uuidName);
      declared.add(op.uuidName);
    }
  }
  const out = ops.map((op, i) => encodeOne(schema, op, i));
  checkNamedRefs(ops, declared);
  return out;
}

function encodeOne(schema: DatabaseSchema, op: Operation, i: number): Record<string, unknown> {
  if (op && 'table' in op) schema.table(op.table);
  switch (op?.op) {
    case 'insert': {
      const w: Record<string, unknown> = {
        op: 'insert',
        table: op.table,
        row: encodeRow(schema, op.table, op.row, false),
      };
      if (op.uuidName !== undefined) w['uuid-name'] = op.uuidName;
      if (op.uuid !== undefined) w.uuid = op.uuid;
      return w;
    }
    case 'select': {
      const w: Record<string, unknown> = {
        op: 'select',
        table: op.table,
        where: encodeWhere(schema, op.table, op.where),
      };
      if (op.columns) {
        for (const c of op.columns) schema.column(op.table, c);
        w.columns = op.columns;
      }
      return w;
    }
    case 'update':
      return {
        op: 'update',
        table: op.table,
        where: encodeWhere(schema, op.table, op.where),
        row: encodeRow(schema, op.table, op.row, true),
      };
    case 'mutate':
      return {
        op: 'mutate',
        table: op.table,
        where: encodeWhere(schema, op.table, op.where),
        mutations: op.mutations.map((m) => encodeMutation(schema, op.table, m)),
      };
    case 'delete':
      return { op: 'delete', table: op.table, where: encodeWhere(schema, op.table, op.where) };
    case 'wait': {
      if (op.until !== '==' && op.until !== '!=')
        throw new OvsdbSchemaError('until must be == or !=', op.table);
      for (const c of op.columns) schema.column(op.table, c);
      const rows = op.rows.map((r) => {
        for (const k of Object.keys(r)) {
          if (!op.columns.includes(k))
            throw new OvsdbSchemaError('wait row has a column not in columns', op.table, k);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) out[k] = encodeValue(schema.column(op.table, k), v, op.table);
        return out;
      });
      const w: Record<string, unknown> = {
        op: 'wait',
        table: op.table,
        where: encodeWhere(schema, op.table, op.where),
        columns: op.columns,
        until: op.until,
        rows,
      };
      if (op.timeout !== undefined) w.timeout = op.timeout;
      return w;
    }
    case 'commit':
      if (typeof op.durable !== 'boolean') throw new OvsdbSchemaError('commit needs durable: boolean');
      return { op: 'commit', durable: op.durable };
    case 'abort':
      return { op: 'abort' };
    case 'comment':
      if (typeof op.comment !== 'string') throw new OvsdbSchemaError('comment must be a string');
      return { op: 'comment', comment: op.comment };
    case 'assert':
      if (typeof op.lock !== 'string' || !ID_RE.test(op.lock))
        throw new OvsdbSchemaError('assert needs a lock name that is an <id>', undefined, undefined, op.lock);
      return { op: 'assert', lock: op.lock };
    default:
      throw new OvsdbSchemaError(
        `operation ${i}: unknown op ${JSON.stringify((op as { op?: unknown })?.op)}`,
      );
  }
}

function checkNamedRefs(ops: readonly Operation[], declared: Set<string>): void {
  const visit = (v: unknown, table: string, column: string) => {
    if (v instanceof NamedUuid) {
      if (!declared.has(v.name))
        throw new OvsdbSchemaError(
          'named-uuid refers to no insert in this transaction',
          table,
          column,
          v.name,
        );
    } else if (Array.isArray(v)) for (const x of v) visit(x, table, column);
    else if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k, table, column);
        visit(x, table, column);
      }
    }
  };
  for (const op of ops) {
    if (op.op === 'insert' || op.op === 'update')
      for (const [k, v] of Object.entries(op.row)) visit(v, op.table, k);
    if (op.op === 'mutate') for (const [k, , v] of op.mutations) visit(v, op.table, k);
  }
}

/** Encodes operations without a schema (no validation). */
export function encodeOperationsUnchecked(ops: readonly Operation[]): unknown[] {
  return ops.map((op) => {
    const w: Record<string, unknown> = { ...op };
    if ('uuidName' in op && op.uuidName !== undefined) {
      w['uuid-name'] = op.uuidName;
      delete w.uuidName;
    }
    const enc = (row: RowInput) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, valueToWire(v ?? null)]));
    if ('row' in op) w.row = enc(op.row);
    if ('where' in op) w.where = op.where.map(([c, f, v]) => [c, f, valueToWire(v ?? null)]);
    if ('mutations' in op) w.mutations = op.mutations.map(([c, m, v]) => [c, m, valueToWire(v ?? null)]);
    if ('rows' in op) w.rows = op.rows.map(enc);
    return w;
  });
}

/** Decodes one result object (select rows decoded by the schema when given). */
export function decodeResult(
  schema: DatabaseSchema | undefined,
  op: Operation | undefined,
  r: unknown,
): OperationResult {
  const o = (r ?? {}) as Record<string, unknown>;
  const out: OperationResult = {};
  if (o.uuid !== undefined) out.uuid = atomFromWire(o.uuid) as Uuid;
  if (typeof o.count === 'number') out.count = o.count;
  if (Array.isArray(o.rows)) {
    const table = op && 'table' in op ? op.table : undefined;
    out.rows = (o.rows as Record<string, unknown>[]).map((row) => {
      const d: Row = {};
      for (const [k, w] of Object.entries(row)) {
        d[k] = schema && table ? schema.decode(table, k, w) : valueFromWireLoose(w);
      }
      return d;
    });
  }
  return out;
}

function valueFromWireLoose(w: unknown): Value {
  if (Array.isArray(w) && w[0] === 'set') return (w[1] as unknown[]).map(atomFromWire);
  if (Array.isArray(w) && w[0] === 'map') {
    return new Map((w[1] as [unknown, unknown][]).map(([k, v]) => [atomFromWire(k), atomFromWire(v)]));
  }
  return atomFromWire(w);
}
