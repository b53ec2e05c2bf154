/**
 * A live replica of monitored tables (what the OVS IDL calls the IDL): rows by UUID, secondary
 * indexes on chosen columns (`name`) or map keys (`external_ids:iface-id`), change events, and
 * resynchronisation after every reconnection with `monitor_cond_since` (resuming from the last
 * transaction id when the server still knows it, else a full dump that is diffed against the
 * old contents, so listeners see each change once and none is lost). Servers without
 * `monitor_cond_since` get `monitor_cond`, then plain `monitor`.
 */
import { EventEmitter } from 'node:events';
import {
  type MonitorRequest,
  type MonitorUpdate,
  type OvsdbClient,
  type SessionHandle,
  ZERO_UUID,
} from './client.js';
import { OvsdbConnectionError, OvsdbProtocolError, OvsdbRpcError, OvsdbSchemaError } from './errors.js';
import { type ColumnType, checkWireAtoms, columnKind, type DatabaseSchema, decodeValue } from './schema.js';
import {
  type Atom,
  atomKey,
  atomSortKey,
  type Row,
  setAtomsFromWire,
  Uuid,
  type Value,
  valuesEqual,
} from './values.js';

/** What to replicate. */
export interface ReplicaOptions {
  /** Tables to monitor: `true` for every column, or the column list (default: all tables). */
  tables?: Record<string, true | string[]>;
  /** Secondary indexes per table: a column (`name`) or a map key (`external_ids:iface-id`). */
  indexes?: Record<string, string[]>;
  /** The monitor id on the wire (default `os-vif:<db>:<n>`, unique in this process). */
  monitorId?: string;
}

/** One row change, as emitted by the `change` event. */
export interface RowChange {
  table: string;
  uuid: string;
  kind: 'insert' | 'update' | 'delete';
  /** The row before (update, delete). */
  old?: Row;
  /** The row after (insert, update). */
  new?: Row;
}

type Table = Map<string, Row>;

let replicaCount = 0;
const unknownMethod = (e: unknown) =>
  e instanceof OvsdbRpcError && /unknown method/i.test(`${e.error} ${e.details ?? ''}`);
type Index = Map<string, Set<string>>;

/** Events: `change` (RowChange), `synced` (after each (re)sync), `batch` (after each applied update). */
export class Replica extends EventEmitter {
  readonly client: OvsdbClient;
  readonly db: string;
  readonly schema: DatabaseSchema;
  private readonly tableColumns: Map<string, string[]>;
  private readonly data = new Map<string, Table>();
  private readonly indexes = new Map<string, Map<string, Index>>();
  private readonly monitorId: string;
  private txnId: string | undefined;
  private syncedGen = -1;
  private syncWaiters: Array<() => void> = [];
  private seqNo = 0;
  private readonly hook: (s: SessionHandle) => Promise<void>;
  /** How the last sync happened: 'since' (resumed), 'full-since', 'cond', 'monitor'. */
  lastSyncMode = '';

  private constructor(client: OvsdbClient, db: string, schema: DatabaseSchema, options: ReplicaOptions) {
    super();
    this.setMaxListeners(0);
    this.client = client;
    this.db = db;
    this.schema = schema;
    this.monitorId = options.monitorId ?? `os-vif:${db}:${++replicaCount}`;
    this.tableColumns = new Map();
    const wanted =
      options.tables ?? Object.fromEntries([...schema.tables.keys()].map((t) => [t, true as const]));
    for (const [t, cols] of Object.entries(wanted)) {
      const ts = schema.table(t);
      const list = cols === true ? [...ts.columns.keys()] : cols;
      for (const c of list) schema.column(t, c);
      this.tableColumns.set(t, list);
      this.data.set(t, new Map());
      this.indexes.set(t, new Map());
    }
    for (const [t, specs] of Object.entries(options.indexes ?? {})) {
      if (!this.data.has(t)) throw new OvsdbSchemaError('index on a table that is not replicated', t);
      for (const spec of specs) {
        const [col] = spec.split(':');
        if (!this.tableColumns.get(t)!.includes(col!))
          throw new OvsdbSchemaError('index on a column that is not replicated', t, col);
        this.indexes.get(t)!.set(spec, new Map());
      }
    }
    this.hook = (s) => this.sync(s);
  }

  /** Fetches the schema, starts monitoring and resolves once the initial contents are in. */
  static async open(client: OvsdbClient, db: string, options: ReplicaOptions = {}): Promise<Replica> {
    const schema = await client.schema(db);
    const r = new Replica(client, db, schema, options);
    await client.addSessionHook(r.hook);
    return r;
  }

  /** Stops following updates (the monitor is cancelled when connected). */
  async close(): Promise<void> {
    this.client.removeSessionHook(this.hook);
    if (this.client.connected) await this.client.monitorCancel(this.monitorId).catch(() => {});
  }

  /** The id of the last transaction seen (update3), for resuming. */
  get lastTxnId(): string | undefined {
    return this.txnId;
  }

  /** Increases after every applied batch of updates. */
  get seq(): number {
    return this.seqNo;
  }

  /** True when the replica matches the current session's monitor. */
  get isSynced(): boolean {
    return this.client.connected && this.syncedGen === this.client.generation;
  }

  /**
   * Resolves when the replica is in sync with the current session (bounded by `timeoutMs`; 0
   * waits without limit, as a request timeout of 0 does). Times out with
   * `OvsdbConnectionError('timeout')` while there is no connection, else `OvsdbRpcError`.
   */
  synced(timeoutMs = 30_000): Promise<void> {
    if (this.isSynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const expire = () =>
        reject(
          this.client.connected
            ? new OvsdbRpcError(
                'sync',
                'timed out',
                `replica of ${this.db} not in sync after ${timeoutMs} ms`,
              )
            : new OvsdbConnectionError(
                'timeout',
                `no connection to sync the replica of ${this.db} within ${timeoutMs} ms`,
              ),
        );
      const t = timeoutMs > 0 ? setTimeout(expire, timeoutMs) : undefined;
      this.syncWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Resolves when `pred()` holds, checked after every update batch; rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new OvsdbRpcError('wait', 'timed out', `${what} not reached within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('batch', check);
        this.off('synced', check);
      };
      this.on('batch', check);
      this.on('synced', check);
    });
  }

  /** Resolves after the next applied batch (or resync), or after `timeoutMs` anyway. */
  nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.off('batch', done);
        this.off('synced', done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.on('batch', done);
      this.on('synced', done);
    });
  }

  /** The row with this UUID, or undefined. Rows are frozen snapshots; `_uuid` is included. */
  get(table: string, uuid: string | Uuid): Row | undefined {
    return this.table(table).get(typeof uuid === 'string' ? uuid : uuid.id);
  }

  /** Every row of a table. */
  rows(table: string): IterableIterator<Row> {
    return this.table(table).values();
  }

  /** True when `table` is replicated. */
  replicates(table: string): boolean {
    return this.data.has(table);
  }

  /** Number of rows in a table. */
  count(table: string): number {
    return this.table(table).size;
  }

  /**
   * Rows whose `spec` (a column, or `column:mapkey`) equals `key` (an element, for set
   * columns). Uses the index when there is one, else scans.
   */
  find(table: string, spec: string, key: Atom): Row[] {
    const k = keyString(key);
    const index = this.indexes.get(table)?.get(spec);
    if (index) {
      const ids = index.get(k);
      return ids ? [...ids].map((id) => this.data.get(table)!.get(id)!) : [];
    }
    const out: Row[] = [];
    for (const row of this.table(table).values()) if (rowKeys(row, spec).includes(k)) out.push(row);
    return out;
  }

  /** The single row matching, or undefined (the first one if several). */
  findOne(table: string, spec: string, key: Atom): Row | undefined {
    return this.find(table, spec, key)[0];
  }

  private table(name: string): Table {
    const t = this.data.get(name);
    if (!t) throw new OvsdbSchemaError('table is not replicated', name);
    return t;
  }

  // ---- synchronisation -----------------------------------------------------------------------

  private requests(): Record<string, MonitorRequest> {
    return Object.fromEntries([...this.tableColumns].map(([t, columns]) => [t, { columns }]));
  }

  private async sync(session: SessionHandle): Promise<void> {
    const queue: MonitorUpdate[] = [];
    let live = false;
    session.onUpdate(this.monitorId, (u) => {
      if (live) this.applyUpdate(u);
      else queue.push(u);
    });
    const reqs = this.requests();
    let full: MonitorUpdate | undefined;
    try {
      const r = (await session.call('monitor_cond_since', [
        this.db,
        this.monitorId,
        reqs,
        this.txnId ?? ZERO_UUID,
      ])) as [boolean, string, MonitorUpdate['tables']];
      if (!Array.isArray(r) || r.length !== 3 || typeof r[1] !== 'string')
        throw new OvsdbProtocolError(`monitor_cond_since reply is not [found, last-txn-id, updates]`);
      const [found, last, tables] = r;
      if (found && this.syncedGen >= 0) {
        this.lastSyncMode = 'since';
        this.applyUpdate({ version: 3, tables: tables ?? {}, lastTxnId: last });
      } else {
        this.lastSyncMode = 'full-since';
        full = { version: 3, tables: tables ?? {}, lastTxnId: last };
      }
      this.txnId = last;
    } catch (e) {
      if (!unknownMethod(e)) throw e;
      try {
        full = {
          version: 2,
          tables: (await session.call('monitor_cond', [
            this.db,
            this.monitorId,
            reqs,
          ])) as MonitorUpdate['tables'],
        };
        this.lastSyncMode = 'cond';
      } catch (e2) {
        if (!unknownMethod(e2)) throw e2;
        full = {
          version: 1,
          tables: (await session.call('monitor', [this.db, this.monitorId, reqs])) as MonitorUpdate['tables'],
        };
        this.lastSyncMode = 'monitor';
      }
      this.txnId = undefined;
    }
    if (full) this.replaceAll(full);
    for (const u of queue.splice(0)) this.applyUpdate(u);
    live = true;
    this.syncedGen = session.generation;
    this.seqNo++;
    this.emit('synced');
    for (const w of this.syncWaiters.splice(0)) w();
  }

  /** Replaces the contents with a full dump, emitting only the differences. */
  private replaceAll(u: MonitorUpdate): void {
    const fresh = new Map<string, Table>();
    for (const t of this.data.keys()) fresh.set(t, new Map());
    for (const [t, rows] of entriesOf(u.tables, 'table updates')) {
      const table = fresh.get(t);
      if (!table) continue;
      for (const [id, ru] of entriesOf(rows, `${t} rows`)) {
        const r = objectOf(ru, `${t} row ${id}`);
        const wire = objectOf(r.initial ?? r.insert ?? r.new ?? r, `${t} row ${id}`);
        table.set(id, this.fullRow(t, id, wire));
      }
    }
    for (const [t, table] of this.data) {
      const next = fresh.get(t)!;
      for (const [id, old] of table) {
        const row = next.get(id);
        if (!row) this.setRow(t, id, undefined, old);
        else if (!rowsEqual(old, row)) this.setRow(t, id, row, old);
      }
      for (const [id, row] of next) if (!table.has(id)) this.setRow(t, id, row, undefined);
    }
  }

  private applyUpdate(u: MonitorUpdate): void {
    if (u.lastTxnId !== undefined) this.txnId = u.lastTxnId;
    for (const [t, rows] of entriesOf(u.tables, 'table updates')) {
      const table = this.data.get(t);
      if (!table) continue;
      for (const [id, update] of entriesOf(rows, `${t} rows`)) {
        const ru = objectOf(update, `${t} row ${id}`);
        const old = table.get(id);
        if (u.version === 1) {
          if (ru.new) this.setRow(t, id, this.fullRow(t, id, objectOf(ru.new, `${t} row ${id}`)), old);
          else if (old) this.setRow(t, id, undefined, old);
          continue;
        }
        if (ru.initial || ru.insert) {
          this.setRow(t, id, this.fullRow(t, id, objectOf(ru.initial ?? ru.insert, `${t} row ${id}`)), old);
        } else if (ru.modify && old) {
          this.setRow(t, id, this.modified(t, old, objectOf(ru.modify, `${t} row ${id}`)), old);
        } else if ('delete' in ru && old) {
          this.setRow(t, id, undefined, old);
        }
      }
    }
    this.seqNo++;
    this.emit('batch');
  }

  private fullRow(table: string, id: string, wire: Record<string, unknown>): Row {
    const row: Row = { _uuid: new Uuid(id) };
    for (const c of this.tableColumns.get(table)!) {
      const type = this.schema.column(table, c).type;
      row[c] = c in wire ? decodeValue(type, wire[c]) : defaultValue(type);
    }
    return Object.freeze(row);
  }

  private modified(table: string, old: Row, diff: Record<string, unknown>): Row {
    const row: Row = { ...old };
    for (const [c, w] of Object.entries(diff)) {
      if (!(c in old)) continue;
      const type = this.schema.column(table, c).type;
      row[c] = applyDiff(type, old[c] ?? null, w);
    }
    return Object.freeze(row);
  }

  private setRow(table: string, id: string, row: Row | undefined, old: Row | undefined): void {
    const t = this.data.get(table)!;
    const idx = this.indexes.get(table)!;
    if (old) for (const [spec, index] of idx) for (const k of rowKeys(old, spec)) removeKey(index, k, id);
    if (row) {
      t.set(id, row);
      for (const [spec, index] of idx) for (const k of rowKeys(row, spec)) addKey(index, k, id);
    } else t.delete(id);
    const kind = !old ? 'insert' : !row ? 'delete' : 'update';
    const change: RowChange = { table, uuid: id, kind };
    if (old) change.old = old;
    if (row) change.new = row;
    this.emit('change', change);
  }
}

/** `v` as a JSON object, or {@link OvsdbProtocolError} naming `what`. */
function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new OvsdbProtocolError(`${what}: not a JSON object in a monitor update`);
  return v as Record<string, unknown>;
}

function entriesOf(v: unknown, what: string): [string, unknown][] {
  return Object.entries(objectOf(v, what));
}

function keyString(a: Atom): string {
  return a instanceof Uuid ? a.id : String(a);
}

function rowKeys(row: Row, spec: string): string[] {
  const colon = spec.indexOf(':');
  const v = row[colon < 0 ? spec : spec.slice(0, colon)];
  if (v === null || v === undefined) return [];
  if (colon >= 0) {
    if (!(v instanceof Map)) return [];
    const x = v.get(spec.slice(colon + 1));
    return x === undefined ? [] : [keyString(x)];
  }
  if (Array.isArray(v)) return v.map(keyString);
  if (v instanceof Map) return [];
  return [keyString(v)];
}

function addKey(index: Index, k: string, id: string): void {
  const s = index.get(k);
  if (s) s.add(id);
  else index.set(k, new Set([id]));
}

function removeKey(index: Index, k: string, id: string): void {
  const s = index.get(k);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) index.delete(k);
}

/** The value a column has when the server omits it (its default). */
export function defaultValue(t: ColumnType): Value {
  switch (columnKind(t)) {
    case 'map':
      return new Map();
    case 'set':
      return [];
    case 'optional':
      return null;
    default:
      switch (t.key.type) {
        case 'integer':
        case 'real':
          return 0;
        case 'boolean':
          return false;
        case 'string':
          return '';
        default:
          return new Uuid(ZERO_UUID);
      }
  }
}

/**
 * Applies an update2 `modify` entry to one column value: columns of at most one element
 * (scalars and optionals) carry their new value; sets carry the symmetric difference; maps carry
 * the pairs to add, remove (same value) or change (other value).
 */
export function applyDiff(t: ColumnType, old: Value, w: unknown): Value {
  const kind = columnKind(t);
  if (kind === 'scalar' || kind === 'optional') return decodeValue(t, w);
  if (kind === 'map') {
    const m = new Map(old instanceof Map ? old : []);
    const diff = decodeValue(t, w) as Map<Atom, Atom>;
    for (const [k, v] of diff) {
      if (m.has(k) && valuesEqual(m.get(k)!, v)) m.delete(k);
      else m.set(k, v);
    }
    return m;
  }
  const items = checkWireAtoms(t.key, setAtomsFromWire(w));
  const current = old === null ? [] : Array.isArray(old) ? old : [old as Atom];
  const byKey = new Map(current.map((a) => [atomSortKey(a), a]));
  for (const a of items) {
    const k = atomSortKey(a);
    if (byKey.has(k)) byKey.delete(k);
    else byKey.set(k, a);
  }
  return [...byKey.values()];
}

function rowsEqual(a: Row, b: Row): boolean {
  for (const k of Object.keys(a)) if (!valuesEqual(a[k] ?? null, b[k] ?? null)) return false;
  return true;
}

export { atomKey };
