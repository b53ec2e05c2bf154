/**
 * Optimistic transactions on a {@link Replica}, as the OVS IDL does them: the builder reads the
 * replica and queues writes; each read it makes through the transaction becomes a `wait`
 * prerequisite sent first; when a prerequisite no longer holds the server answers `timed out`,
 * and the builder is run again on the refreshed replica (bounded retries).
 */
import {
  OvsdbConflictError,
  OvsdbConnectionError,
  OvsdbOperationError,
  OvsdbTimeoutError,
  TimedOut,
} from './errors.js';
import type { Condition, Mutation, Operation, OperationResult, RowInput, WaitOp } from './operations.js';
import type { Replica } from './replica.js';
import { type Atom, NamedUuid, type Row, Uuid, type Value } from './values.js';

/** Options of {@link runTransaction}. */
export interface TransactionOptions {
  /** How many times to run the builder at most (default 8). */
  attempts?: number;
  /**
   * Re-run after the connection was lost mid-commit (default false). Only safe when every write
   * the builder makes is guarded by what it read (as the VSwitch verbs are).
   */
  retryOnDisconnect?: boolean;
  /**
   * Bound of the whole call in ms: every attempt, the replica syncs between them and the waits
   * for a reconnection share it (default: the client's timeout per request; 0: none).
   */
  timeoutMs?: number;
  /** A `comment` operation added to the transaction (shows in the server's log). */
  comment?: string;
}

/** The outcome of a committed transaction. */
export interface TransactionOutcome<T> {
  /** What the builder returned on the attempt that committed. */
  value: T;
  /** The server's results, prerequisites first. */
  results: OperationResult[];
  /** Real UUIDs of the rows inserted, by `uuidName`. */
  inserted: Map<string, Uuid>;
  /** How many attempts it took. */
  attempts: number;
}

/** A transaction being built: read the replica through it, queue writes on it. */
export class ReplicaTxn {
  /** The queued write operations. */
  readonly ops: Operation[] = [];
  private readonly waits = new Map<string, WaitOp>();
  private readonly waitOrder: string[] = [];
  private named = 0;

  constructor(readonly replica: Replica) {}

  /** Rows matching `spec == key` (see {@link Replica.find}); the set of matches becomes a prerequisite. */
  find(table: string, spec: string, key: Atom): Row[] {
    const rows = this.replica.find(table, spec, key);
    const colon = spec.indexOf(':');
    const cond: Condition =
      colon < 0
        ? [spec, isSetColumn(this.replica, table, spec) ? 'includes' : '==', key]
        : [spec.slice(0, colon), 'includes', new Map<Atom, Atom>([[spec.slice(colon + 1), key]])];
    this.addWait(`find:${table}:${spec}:${String(key)}`, {
      op: 'wait',
      table,
      where: [cond],
      columns: ['_uuid'],
      until: '==',
      rows: rows.map((r) => ({ _uuid: r._uuid as Uuid })),
      timeout: 0,
    });
    return rows;
  }

  /** The single row matching `spec == key`, or undefined; a prerequisite like {@link find}. */
  findOne(table: string, spec: string, key: Atom): Row | undefined {
    return this.find(table, spec, key)[0];
  }

  /** A row by UUID, and a prerequisite that it still exists. */
  get(table: string, uuid: string | Uuid): Row | undefined {
    const row = this.replica.get(table, uuid);
    const id = typeof uuid === 'string' ? uuid : uuid.id;
    this.addWait(`get:${table}:${id}`, {
      op: 'wait',
      table,
      where: [['_uuid', '==', new Uuid(id)]],
      columns: ['_uuid'],
      until: '==',
      rows: row ? [{ _uuid: new Uuid(id) }] : [],
      timeout: 0,
    });
    return row;
  }

  /** Makes the current values of `columns` of `row` a prerequisite (the IDL's `verify`). */
  verify(table: string, row: Row, columns: string[]): void {
    const id = (row._uuid as Uuid).id;
    const values: RowInput = {};
    for (const c of columns) values[c] = row[c] as Value;
    this.addWait(`verify:${table}:${id}:${columns.join(',')}`, {
      op: 'wait',
      table,
      where: [['_uuid', '==', new Uuid(id)]],
      columns,
      until: '==',
      rows: [values],
      timeout: 0,
    });
  }

  /** Queues an insert; returns the name to reference the new row within this transaction. */
  insert(table: string, row: RowInput): NamedUuid {
    const name = `row${this.named++}`;
    this.ops.push({ op: 'insert', table, row, uuidName: name });
    return new NamedUuid(name);
  }

  /** Queues an update of one row. */
  update(table: string, uuid: Uuid | NamedUuid, row: RowInput): void {
    if (Object.keys(row).length) this.ops.push({ op: 'update', table, where: [['_uuid', '==', uuid]], row });
  }

  /** Queues mutations of one row. */
  mutate(table: string, uuid: Uuid | NamedUuid, mutations: Mutation[]): void {
    if (mutations.length) this.ops.push({ op: 'mutate', table, where: [['_uuid', '==', uuid]], mutations });
  }

  /** Queues the deletion of one row. */
  delete(table: string, uuid: Uuid): void {
    this.ops.push({ op: 'delete', table, where: [['_uuid', '==', uuid]] });
  }

  /** Queues any operation as it is. */
  push(op: Operation): void {
    this.ops.push(op);
  }

  /** Prerequisites first, then the writes. */
  operations(comment?: string): { ops: Operation[]; waitCount: number } {
    const waits = [...this.waits.values()];
    const ops: Operation[] = [...waits, ...this.ops];
    if (comment) ops.push({ op: 'comment', comment });
    return { ops, waitCount: waits.length };
  }

  /** A point to {@link rollback} to: drops what was queued after it. */
  mark(): { ops: number; waits: number } {
    return { ops: this.ops.length, waits: this.waitOrder.length };
  }

  /** Forgets the writes and prerequisites queued since `mark`. */
  rollback(mark: { ops: number; waits: number }): void {
    this.ops.length = mark.ops;
    for (const key of this.waitOrder.splice(mark.waits)) this.waits.delete(key);
  }

  private addWait(key: string, w: WaitOp): void {
    if (this.waits.has(key)) return;
    this.waits.set(key, w);
    this.waitOrder.push(key);
  }
}

function isSetColumn(replica: Replica, table: string, column: string): boolean {
  const t = replica.schema.column(table, column).type;
  return !t.value && t.max > 1;
}

const queues = new WeakMap<Replica, Promise<unknown>>();

/**
 * Runs `build` on a fresh {@link ReplicaTxn} and commits what it queued; on a failed
 * prerequisite waits for the replica to move and runs it again, up to `attempts` times.
 * A builder that queues nothing commits nothing. As in the OVS IDL, the transactions of one
 * replica run one after the other (so they never conflict with each other, only with other
 * clients); group many changes into one transaction for throughput.
 */
export function runTransaction<T>(
  replica: Replica,
  build: (txn: ReplicaTxn) => T | Promise<T>,
  options: TransactionOptions = {},
): Promise<TransactionOutcome<T>> {
  const prev = queues.get(replica) ?? Promise.resolve();
  const next = prev.then(
    () => attemptAll(replica, build, options),
    () => attemptAll(replica, build, options),
  );
  queues.set(
    replica,
    next.catch(() => {}),
  );
  return next;
}

async function attemptAll<T>(
  replica: Replica,
  build: (txn: ReplicaTxn) => T | Promise<T>,
  options: TransactionOptions,
): Promise<TransactionOutcome<T>> {
  const attempts = options.attempts ?? 8;
  const limit = options.timeoutMs;
  const deadline = limit !== undefined && limit > 0 ? performance.now() + limit : undefined;
  /** What is left of the call's bound (undefined: the client's per-request default). */
  const left = (): number | undefined => {
    if (deadline === undefined) return limit;
    const ms = Math.ceil(deadline - performance.now());
    if (ms <= 0) throw new OvsdbTimeoutError('transact', limit as number, replica.client.remote);
    return ms;
  };
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await replica.synced(left());
    const seq = replica.seq;
    const txn = new ReplicaTxn(replica);
    const value = await build(txn);
    if (txn.ops.length === 0) return { value, results: [], inserted: new Map(), attempts: attempt };
    const { ops, waitCount } = txn.operations(options.comment);
    try {
      const results = await replica.client.transact(replica.db, ops, { timeoutMs: left() });
      const inserted = new Map<string, Uuid>();
      ops.forEach((op, i) => {
        if (op.op === 'insert' && op.uuidName && results[i]?.uuid)
          inserted.set(op.uuidName, results[i]!.uuid!);
      });
      await reflected(
        replica,
        ops,
        deadline === undefined ? limit : Math.max(1, deadline - performance.now()),
      );
      return { value, results, inserted, attempts: attempt };
    } catch (e) {
      last = e;
      if (e instanceof TimedOut && e.index < waitCount) {
        // a prerequisite failed: the replica is behind the server; let it catch up, then step
        // aside for a random moment so that two clients do not collide round after round
        if (replica.seq === seq) await replica.nextChange(200);
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        continue;
      }
      if (
        options.retryOnDisconnect &&
        e instanceof OvsdbConnectionError &&
        e.kind !== 'cancelled' &&
        e.kind !== 'timeout'
      ) {
        await replica.synced(left());
        continue;
      }
      throw e;
    }
  }
  throw new OvsdbConflictError(attempts, last);
}

/**
 * Read-your-writes: the next transaction must be built on a replica that shows this one. The
 * server sends the monitor updates of a commit before its replies to later requests, so one
 * `echo` round trip after a write to a replicated table is enough (a row the server
 * garbage-collected at commit never shows up, hence a round trip and not a wait for rows).
 */
async function reflected(replica: Replica, ops: Operation[], timeoutMs: number | undefined): Promise<void> {
  const wrote = ops.some(
    (op) => 'table' in op && op.op !== 'select' && op.op !== 'wait' && replica.replicates(op.table),
  );
  if (wrote) await replica.client.call('echo', [], { timeoutMs }).catch(() => {});
}

export { OvsdbOperationError };
