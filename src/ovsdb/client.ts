/**
 * The OVSDB client: every RFC 7047 method and the later extensions over one live session, with
 * reconnection (back-off over the list of remotes), and, for a clustered database, a session
 * that always sits on the cluster leader (checked and then watched through `_Server`).
 *
 * Requests made while the connection is down wait for the next session (bounded by their
 * timeout). Requests in flight when a session dies are rejected with an
 * {@link OvsdbConnectionError}: the client never re-sends a transaction on its own, because it
 * cannot know whether the server committed it. Higher layers (the replica's optimistic
 * transactions) re-run theirs on the refreshed replica, which is safe.
 */
import { EventEmitter } from 'node:events';
import { OvsdbConnectionError, OvsdbOperationError, OvsdbRpcError, operationError } from './errors.js';
import { JsonRpcSession, type RequestOptions } from './jsonrpc.js';
import { type Logger, silentLogger } from './logger.js';
import {
  decodeResult,
  encodeOperations,
  encodeOperationsUnchecked,
  type Operation,
  type OperationResult,
} from './operations.js';
import { Reconnect, type ReconnectStats } from './reconnect.js';
import { openStream, parseRemotes, type Remote, type TlsOptions } from './remote.js';
import { DatabaseSchema } from './schema.js';

/** Options of {@link OvsdbClient.connect}. */
export interface ConnectOptions {
  /** Default per-request timeout in ms (default 30000; 0 = none). */
  timeoutMs?: number;
  /** Timeout of one connection attempt, and of the first connection overall (default 5000). */
  connectTimeoutMs?: number;
  /** Inactivity probe interval in ms (default 5000; 0 = off). */
  probeIntervalMs?: number;
  /** Reconnect after the connection is lost (default true). */
  reconnect?: boolean;
  /**
   * Back-off between attempts (defaults 50 and 2000 ms), decided by the {@link Reconnect} state
   * machine: after a connection that lived at least the current back-off, the minimum; after
   * failed attempts (or a connection dropped at once), doubled up to the maximum; each remote
   * of a list is tried once without waiting first. Each wait is shortened by up to 25% at
   * random, so clients restarted together do not reconnect in lockstep.
   */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Key, certificate and CA for `ssl:` remotes. */
  tls?: TlsOptions;
  /** Use only a server that is the leader of its clustered databases (default: several remotes given). */
  leaderOnly?: boolean;
  /** Validate every operation against the schema before sending it (default true). */
  validate?: boolean;
  /** A pino-shaped logger (default: silent). */
  logger?: Logger;
}

/** Per-call options. */
export interface CallOptions {
  /** Override the client's default timeout (0 = none). */
  timeoutMs?: number;
  /** Abort the call; for `transact` a `cancel` is sent to the server too. */
  signal?: AbortSignal;
}

/** The raw update of one monitor notification, normalised across protocol versions. */
export interface MonitorUpdate {
  /** 1 = `update` (old/new rows), 2 = `update2`, 3 = `update3` (update2 plus a txn id). */
  version: 1 | 2 | 3;
  /** table -> row uuid -> row update in wire form. */
  tables: Record<string, Record<string, Record<string, unknown>>>;
  /** For version 3: the id of the last transaction reflected. */
  lastTxnId?: string;
}

/** One table of a monitor request (RFC 7047 section 4.1.5 and the `_cond` extensions). */
export interface MonitorRequest {
  columns?: string[];
  where?: unknown[];
  select?: { initial?: boolean; insert?: boolean; delete?: boolean; modify?: boolean };
}

/** A hook run on every new session before it serves callers (used to re-create monitors). */
export type SessionHook = (session: SessionHandle) => Promise<void>;

/** A session-bound view of the client, handed to hooks. */
export interface SessionHandle {
  /** Counts sessions; increases with every reconnection. */
  readonly generation: number;
  /** The remote this session is connected to. */
  readonly remote: string;
  /** A request on exactly this session. */
  call(method: string, params: unknown[], options?: CallOptions): Promise<unknown>;
  /** Routes this session's update notifications for monitor `id` to `handler`. */
  onUpdate(id: string, handler: (u: MonitorUpdate) => void): void;
}

type MonitorHandler = (u: MonitorUpdate) => void;

/** Events: `connected` (remote), `disconnected` (error), `locked` (name), `stolen` (name). */
export class OvsdbClient extends EventEmitter {
  private readonly remotes: Remote[];
  private readonly opts: Required<Omit<ConnectOptions, 'tls' | 'logger'>> & Pick<ConnectOptions, 'tls'>;
  private readonly log: Logger;
  private readonly fsm: Reconnect;
  private session: JsonRpcSession | undefined;
  private sessionRemote = '';
  private gen = 0;
  private nextRemote = 0;
  private closing = false;
  private waiters: Array<{ resolve: (s: JsonRpcSession) => void; reject: (e: Error) => void }> = [];
  private readonly hooks: SessionHook[] = [];
  private readonly monitors = new Map<string, MonitorHandler>();
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();
  private settingUp = false;
  private loopRunning = false;
  private dbChangeAware = false;

  private constructor(remotes: Remote[], options: ConnectOptions) {
    super();
    this.remotes = remotes;
    this.log = options.logger ?? silentLogger;
    this.opts = {
      timeoutMs: options.timeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      probeIntervalMs: options.probeIntervalMs ?? 5000,
      reconnect: options.reconnect ?? true,
      backoffMinMs: options.backoffMinMs ?? 50,
      backoffMaxMs: options.backoffMaxMs ?? 2000,
      leaderOnly: options.leaderOnly ?? remotes.length > 1,
      validate: options.validate ?? true,
      tls: options.tls,
    };
    // inactivity probes stay with the session (JsonRpcSession), so the machine's are off
    this.fsm = new Reconnect({
      minBackoffMs: this.opts.backoffMinMs,
      maxBackoffMs: this.opts.backoffMaxMs,
      probeIntervalMs: 0,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      backoffFreeTries: remotes.length,
    });
    this.fsm.enable();
  }

  /**
   * Connects to the first usable remote of `remotes` (`unix:PATH`, `tcp:HOST:PORT`,
   * `ssl:HOST:PORT`, comma-separated for a cluster). Rejects with an
   * {@link OvsdbConnectionError} when none answers within `connectTimeoutMs`.
   */
  static async connect(remotes: string, options: ConnectOptions = {}): Promise<OvsdbClient> {
    const client = new OvsdbClient(parseRemotes(remotes), options);
    await client.establish(client.opts.connectTimeoutMs);
    return client;
  }

  /** The remote of the current session ('' while disconnected). */
  get remote(): string {
    return this.session && !this.session.closed ? this.sessionRemote : '';
  }

  /** Counts sessions; increases with each reconnection. */
  get generation(): number {
    return this.gen;
  }

  /** True while a session is open. */
  get connected(): boolean {
    return this.session !== undefined && !this.session.closed;
  }

  /** The reconnection state machine's state and counters (attempts, successes, back-off, time connected). */
  get reconnectStats(): ReconnectStats {
    return this.fsm.stats();
  }

  /** Registers a hook run on every new session (and at once on the current one). */
  async addSessionHook(hook: SessionHook): Promise<void> {
    this.hooks.push(hook);
    if (this.connected) await hook(this.handle(this.session!));
  }

  /** Removes a hook added with {@link addSessionHook}. */
  removeSessionHook(hook: SessionHook): void {
    const i = this.hooks.indexOf(hook);
    if (i >= 0) this.hooks.splice(i, 1);
  }

  /** Closes the connection for good; pending and later calls reject with a `closed` error. */
  async close(): Promise<void> {
    this.closing = true;
    this.fsm.disable();
    const e = new OvsdbConnectionError('closed', 'client closed');
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.session?.close(e);
    this.session = undefined;
  }

  // ---- methods -------------------------------------------------------------------------------

  /** `list_dbs`. */
  async listDbs(options?: CallOptions): Promise<string[]> {
    return (await this.call('list_dbs', [], options)) as string[];
  }

  /** `get_schema`, parsed. */
  async getSchema(db: string, options?: CallOptions): Promise<DatabaseSchema> {
    return DatabaseSchema.parse(await this.call('get_schema', [db], options));
  }

  /** The schema of `db`, fetched once and cached. */
  schema(db: string): Promise<DatabaseSchema> {
    let p = this.schemas.get(db);
    if (!p) {
      p = this.getSchema(db);
      this.schemas.set(db, p);
      p.catch(() => this.schemas.delete(db));
    }
    return p;
  }

  /**
   * `transact`: validates `ops` against the schema (unless `validate: false`), sends them and
   * resolves to the decoded result array; rejects with the typed {@link OvsdbOperationError} of
   * the first failing operation (its `index` says which).
   */
  async transact(
    db: string,
    ops: readonly Operation[],
    options: CallOptions & { validate?: boolean } = {},
  ): Promise<OperationResult[]> {
    const validate = options.validate ?? this.opts.validate;
    const schema = await this.schema(db).catch((e) => {
      if (validate) throw e;
      return undefined;
    });
    const wire = validate && schema ? encodeOperations(schema, ops) : encodeOperationsUnchecked(ops);
    const raw = await this.transactWire(db, wire, options);
    return raw.map((r, i) => decodeResult(schema, ops[i], r));
  }

  /** `transact` with operations already in wire form (no validation); the raw results. */
  async transactWire(db: string, wireOps: unknown[], options: CallOptions = {}): Promise<unknown[]> {
    const session = await this.ready(options.timeoutMs);
    const { id, reply } = session.request('transact', [db, ...wireOps], this.reqOpts(options));
    const onAbort = () => session.notify('cancel', [id]);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const results = (await reply) as unknown[];
      checkResults(results);
      return results;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** `echo`: resolves with the same params. */
  async echo(...params: unknown[]): Promise<unknown[]> {
    return (await this.call('echo', params)) as unknown[];
  }

  /** `monitor` (RFC 7047): resolves with the initial contents; later changes go to `onUpdate`. */
  async monitor(
    db: string,
    id: string,
    requests: Record<string, MonitorRequest | MonitorRequest[]>,
    onUpdate: MonitorHandler,
  ): Promise<MonitorUpdate> {
    const r = await this.startMonitor('monitor', [db, id, requests], id, onUpdate);
    return { version: 1, tables: (r ?? {}) as MonitorUpdate['tables'] };
  }

  /** `monitor_cond` (update2 notifications). */
  async monitorCond(
    db: string,
    id: string,
    requests: Record<string, MonitorRequest | MonitorRequest[]>,
    onUpdate: MonitorHandler,
  ): Promise<MonitorUpdate> {
    const r = await this.startMonitor('monitor_cond', [db, id, requests], id, onUpdate);
    return { version: 2, tables: (r ?? {}) as MonitorUpdate['tables'] };
  }

  /**
   * `monitor_cond_since` (update3): `found` says whether the server could resume from
   * `lastTxnId`; when not, `initial` holds the whole contents.
   */
  async monitorCondSince(
    db: string,
    id: string,
    requests: Record<string, MonitorRequest | MonitorRequest[]>,
    lastTxnId: string | undefined,
    onUpdate: MonitorHandler,
  ): Promise<{ found: boolean; lastTxnId: string; initial: MonitorUpdate }> {
    const r = await this.startMonitor(
      'monitor_cond_since',
      [db, id, requests, lastTxnId ?? ZERO_UUID],
      id,
      onUpdate,
    );
    const [found, last, tables] = r as [boolean, string, MonitorUpdate['tables'] | null];
    return { found, lastTxnId: last, initial: { version: 3, tables: tables ?? {}, lastTxnId: last } };
  }

  /** `monitor_cond_change`: new conditions (and optionally a new id) for an existing monitor. */
  async monitorCondChange(
    id: string,
    requests: Record<string, MonitorRequest | MonitorRequest[]>,
    newId: string = id,
  ): Promise<void> {
    await this.call('monitor_cond_change', [id, newId, requests]);
    if (newId !== id) {
      const h = this.monitors.get(id);
      this.monitors.delete(id);
      if (h) this.monitors.set(newId, h);
    }
  }

  /** `monitor_cancel`. */
  async monitorCancel(id: string): Promise<void> {
    this.monitors.delete(id);
    await this.call('monitor_cancel', [id]);
  }

  /** `lock`: resolves true when granted at once; otherwise a `locked` event follows later. */
  async lock(name: string): Promise<boolean> {
    return ((await this.call('lock', [name])) as { locked: boolean }).locked;
  }

  /** `steal`: takes the lock from its owner (who gets `stolen`). */
  async steal(name: string): Promise<boolean> {
    return ((await this.call('steal', [name])) as { locked: boolean }).locked;
  }

  /** `unlock`. */
  async unlock(name: string): Promise<void> {
    await this.call('unlock', [name]);
  }

  /** `set_db_change_aware` (kept across reconnections). */
  async setDbChangeAware(aware = true): Promise<void> {
    this.dbChangeAware = aware;
    await this.call('set_db_change_aware', [aware]);
  }

  /** Any method by name, on the current session (waiting for one if needed). */
  async call(method: string, params: unknown[], options: CallOptions = {}): Promise<unknown> {
    const session = await this.ready(options.timeoutMs);
    return session.request(method, params, this.reqOpts(options)).reply;
  }

  // ---- sessions ------------------------------------------------------------------------------

  private reqOpts(o: CallOptions): RequestOptions {
    return { timeoutMs: o.timeoutMs ?? this.opts.timeoutMs, signal: o.signal };
  }

  private handle(session: JsonRpcSession): SessionHandle {
    return {
      generation: this.gen,
      remote: this.sessionRemote,
      call: (method, params, options = {}) => session.request(method, params, this.reqOpts(options)).reply,
      onUpdate: (id, handler) => {
        if (this.session === session) this.monitors.set(id, handler);
      },
    };
  }

  /** Registers the handler, then sends the monitor request; resolves with the raw result. */
  private async startMonitor(
    method: string,
    params: unknown[],
    id: string,
    onUpdate: MonitorHandler,
  ): Promise<unknown> {
    const session = await this.ready();
    this.monitors.set(id, onUpdate);
    try {
      return await session.request(method, params, this.reqOpts({})).reply;
    } catch (e) {
      this.monitors.delete(id);
      throw e;
    }
  }

  /** Resolves with an open session that has run its hooks, waiting for a reconnection if needed. */
  private ready(timeoutMs?: number): Promise<JsonRpcSession> {
    if (this.session && !this.session.closed && !this.settingUp) return Promise.resolve(this.session);
    if (this.closing || !this.opts.reconnect) {
      return Promise.reject(new OvsdbConnectionError('closed', 'not connected'));
    }
    const t = timeoutMs ?? this.opts.timeoutMs;
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      this.waiters.push(w);
      if (t > 0) {
        setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i < 0) return;
          this.waiters.splice(i, 1);
          reject(new OvsdbConnectionError('timeout', `no connection within ${t} ms`));
        }, t).unref();
      }
    });
  }

  /**
   * Attempts remotes in turn (at least each once) until one gives a session, waiting between
   * attempts as the state machine says, within `budgetMs`.
   */
  private async establish(budgetMs: number): Promise<void> {
    const deadline = Date.now() + budgetMs;
    let last: unknown;
    for (let attempts = 1; ; attempts++) {
      if (this.closing) throw new OvsdbConnectionError('closed', 'client closed');
      const remote = this.remotes[this.nextRemote++ % this.remotes.length]!;
      this.fsm.connecting();
      try {
        await this.attempt(
          remote,
          Math.max(100, Math.min(this.opts.connectTimeoutMs, deadline - Date.now())),
        );
        return;
      } catch (e) {
        last = e;
        this.fsm.connectFailed();
        this.log.debug({ remote: remote.text, err: String(e) }, 'ovsdb connection attempt failed');
      }
      const wait = this.backoffWait();
      if (attempts >= this.remotes.length && Date.now() + wait > deadline) break;
      if (wait > 0) await sleep(wait);
    }
    if (last instanceof OvsdbConnectionError) throw last;
    throw new OvsdbConnectionError(
      'refused',
      `no usable remote: ${String(last)}`,
      this.remotes.map((r) => r.text).join(','),
      { cause: last },
    );
  }

  private async attempt(remote: Remote, timeoutMs: number): Promise<void> {
    const stream = await openStream(remote, timeoutMs, this.opts.tls);
    let session!: JsonRpcSession;
    session = new JsonRpcSession(stream, {
      remote: remote.text,
      probeIntervalMs: this.opts.probeIntervalMs,
      onNotification: (m, p) => this.onNotification(session, m, p),
      onClose: (e) => this.onSessionClosed(session, e),
    });
    try {
      const call = (method: string, params: unknown[]) =>
        session.request(method, params, { timeoutMs }).reply;
      if (this.opts.leaderOnly) await this.checkLeader(session, call);
      this.settingUp = true;
      this.session = session;
      this.sessionRemote = remote.text;
      this.gen++;
      this.monitors.clear();
      if (this.opts.leaderOnly) await this.watchLeader(session, call);
      if (this.dbChangeAware) await call('set_db_change_aware', [true]);
      for (const hook of [...this.hooks]) await hook(this.handle(session));
      if (session.closed)
        throw new OvsdbConnectionError('closed', 'session closed during setup', remote.text);
    } catch (e) {
      session.close(
        e instanceof OvsdbConnectionError ? e : new OvsdbConnectionError('refused', String(e), remote.text),
      );
      if (this.session === session) this.session = undefined;
      this.settingUp = false;
      throw e;
    }
    this.fsm.connected();
    this.settingUp = false;
    this.log.info({ remote: remote.text, generation: this.gen }, 'ovsdb connected');
    this.emit('connected', remote.text);
    for (const w of this.waiters.splice(0)) w.resolve(session);
  }

  private async checkLeader(
    session: JsonRpcSession,
    call: (m: string, p: unknown[]) => Promise<unknown>,
  ): Promise<void> {
    let r: Array<{ rows?: Array<Record<string, unknown>> }>;
    try {
      r = (await call('transact', [
        '_Server',
        { op: 'select', table: 'Database', where: [], columns: ['name', 'model', 'connected', 'leader'] },
      ])) as Array<{ rows?: Array<Record<string, unknown>> }>;
    } catch (e) {
      if (e instanceof OvsdbRpcError && e.error === 'unknown database') return; // a server without _Server
      throw e;
    }
    const bad = (r[0]?.rows ?? []).find(
      (row) => row.model === 'clustered' && (row.leader !== true || row.connected !== true),
    );
    if (bad) {
      session.close(new OvsdbConnectionError('no-leader', `not the leader of ${String(bad.name)}`));
      throw new OvsdbConnectionError('no-leader', `server is not the cluster leader of ${String(bad.name)}`);
    }
  }

  private async watchLeader(
    session: JsonRpcSession,
    call: (m: string, p: unknown[]) => Promise<unknown>,
  ): Promise<void> {
    const id = 'os-vif:_Server';
    const check = (u: MonitorUpdate) => {
      for (const rows of Object.values(u.tables)) {
        for (const ru of Object.values(rows)) {
          const row = (ru.new ?? ru.initial ?? ru.insert ?? ru.modify) as Record<string, unknown> | undefined;
          if (!row) continue;
          if (
            (ru.modify === undefined &&
              row.model === 'clustered' &&
              (row.leader !== true || row.connected !== true)) ||
            (ru.modify !== undefined && (row.leader === false || row.connected === false))
          ) {
            this.log.warn({ remote: this.sessionRemote }, 'ovsdb server lost cluster leadership; moving on');
            session.close(
              new OvsdbConnectionError(
                'no-leader',
                'server is no longer the cluster leader',
                this.sessionRemote,
              ),
            );
            return;
          }
        }
      }
    };
    this.monitors.set(id, check);
    try {
      await call('monitor_cond', [
        '_Server',
        id,
        { Database: [{ columns: ['name', 'model', 'connected', 'leader'] }] },
      ]);
    } catch (e) {
      this.monitors.delete(id);
      if (!(e instanceof OvsdbRpcError && e.error === 'unknown database')) throw e;
    }
  }

  private onNotification(session: JsonRpcSession, method: string, params: unknown[]): void {
    if (session !== this.session) return;
    switch (method) {
      case 'update':
      case 'update2': {
        const h = this.monitors.get(String(params[0]));
        h?.({ version: method === 'update' ? 1 : 2, tables: (params[1] ?? {}) as MonitorUpdate['tables'] });
        return;
      }
      case 'update3': {
        const h = this.monitors.get(String(params[0]));
        h?.({
          version: 3,
          lastTxnId: String(params[1]),
          tables: (params[2] ?? {}) as MonitorUpdate['tables'],
        });
        return;
      }
      case 'locked':
      case 'stolen':
        this.emit(method, String(params[0]));
        return;
      default:
        this.emit('notification', method, params);
    }
  }

  private onSessionClosed(session: JsonRpcSession, error: OvsdbConnectionError): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.monitors.clear();
    if (this.closing) this.log.debug({ remote: this.sessionRemote }, 'ovsdb connection closed');
    else this.log.warn({ remote: this.sessionRemote, err: error.message }, 'ovsdb connection lost');
    if (this.settingUp) return; // the attempt in progress fails and the loop goes on
    if (session.lastReceivedAt !== undefined) this.fsm.received(session.lastReceivedAt);
    this.fsm.disconnected();
    this.emit('disconnected', error);
    if (this.closing || !this.opts.reconnect) {
      for (const w of this.waiters.splice(0)) w.reject(error);
      return;
    }
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    if (this.loopRunning) return;
    this.loopRunning = true;
    try {
      await sleep(this.backoffWait());
      if (!this.closing) await this.establish(Number.POSITIVE_INFINITY);
    } catch (e) {
      this.log.debug({ err: String(e) }, 'ovsdb reconnect loop ended');
    } finally {
      this.loopRunning = false;
    }
  }

  /** The machine's wait before the next attempt, shortened by up to 25% at random. */
  private backoffWait(): number {
    return Math.round((this.fsm.timeout() ?? 0) * (1 - 0.25 * Math.random()));
  }
}

/** The all-zero transaction id that asks `monitor_cond_since` for everything. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function checkResults(results: unknown[]): void {
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as { error?: unknown; details?: unknown } | null;
    if (r && typeof r === 'object' && typeof r.error === 'string') {
      throw operationError(r.error, typeof r.details === 'string' ? r.details : undefined, i, results);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { OvsdbOperationError };
