/**
 * `Open_vSwitch` helpers: the vsctl-like verbs the ovs plugin needs, on a live replica of the
 * Open_vSwitch, Bridge, Port and Interface tables. Every verb is idempotent (`may-exist` /
 * `if-exists` semantics), runs as one optimistic transaction (its reads become prerequisites,
 * a conflict re-runs it on the refreshed replica), and several verbs can be batched into one
 * transaction with {@link VSwitch.batch}, where each verb sees what the earlier ones did.
 */
import type { OvsdbClient } from './client.js';
import { OvsdbOperationError, OvsdbTimeoutError, VSwitchError } from './errors.js';
import type { Condition, Mutation, RowInput } from './operations.js';
import { Replica } from './replica.js';
import { type ReplicaTxn, runTransaction } from './txn.js';
import { type NamedUuid, type Row, Uuid, type Value } from './values.js';

/** String-to-string map columns (external_ids, options, other_config) as callers write them. */
export type StringMap = Record<string, string>;

/** Settings of {@link VSwitch.ensureBridge}. */
export interface BridgeOptions {
  /** `Bridge.datapath_type` ('system', 'netdev'); overwritten when the bridge exists. */
  datapathType?: string;
  /** Merged into `Bridge.external_ids`. */
  externalIds?: StringMap;
  /** Merged into `Bridge.other_config`. */
  otherConfig?: StringMap;
  /** `Bridge.fail_mode`. */
  failMode?: 'secure' | 'standalone';
}

/** Interface columns that verbs set (maps are merged into the existing keys). */
export interface InterfaceSettings {
  /** `Interface.type`: '' (system), 'internal', 'tap', 'patch', 'dpdkvhostuser', ... */
  type?: string;
  /** Merged into `Interface.options` (e.g. `{ peer: 'x' }`, `{ 'vhost-server-path': p }`). */
  options?: StringMap;
  /** Merged into `Interface.external_ids` (`iface-id`, `iface-status`, `attached-mac`, `vm-uuid`). */
  externalIds?: StringMap;
  /** `Interface.mtu_request`; `null` clears it. */
  mtuRequest?: number | null;
}

/** Port columns that verbs set. */
export interface PortSettings {
  /** `Port.tag` (VLAN 0-4095); `null` clears it. */
  tag?: number | null;
  /** Merged into `Port.external_ids`. */
  portExternalIds?: StringMap;
}

/** Settings of {@link VSwitch.addPort}. */
export type AddPortOptions = InterfaceSettings & PortSettings;

/** A port as read from the replica. */
export interface PortInfo {
  uuid: string;
  name: string;
  /** The bridge that holds it. */
  bridge: string | undefined;
  tag: number | null;
  interfaces: string[];
  externalIds: StringMap;
}

/** An interface as read from the replica. */
export interface InterfaceInfo {
  uuid: string;
  name: string;
  type: string;
  options: StringMap;
  externalIds: StringMap;
  mtuRequest: number | null;
  /** OpenFlow port number once ovs-vswitchd attached it (-1: failed), null before. */
  ofport: number | null;
  /** ovs-vswitchd's error text, if any. */
  error: string | null;
  /** The port that holds it, and that port's bridge. */
  port: string | undefined;
  bridge: string | undefined;
}

/** The verbs, as queued in a batch. */
export interface VSwitchBatch {
  /** Queues {@link VSwitch.ensureBridge}. */
  ensureBridge(name: string, options?: BridgeOptions): void;
  /** Queues {@link VSwitch.delBridge}. */
  delBridge(name: string): void;
  /** Queues {@link VSwitch.addPort}. */
  addPort(bridge: string, name: string, options?: AddPortOptions): void;
  /** Queues {@link VSwitch.delPort}. */
  delPort(name: string, options?: DelPortOptions): void;
  /** Queues {@link VSwitch.setInterface}. */
  setInterface(name: string, settings: InterfaceSettings): void;
  /** Queues {@link VSwitch.setPort}. */
  setPort(name: string, settings: PortSettings): void;
  /** Queues {@link VSwitch.addPatchPair}. */
  addPatchPair(pair: PatchPair): void;
}

/** Two patch ports joining two bridges (`type=patch`, `options:peer` pointing at each other). */
export interface PatchPair {
  bridge: string;
  port: string;
  peerBridge: string;
  peerPort: string;
  /** On `port`. */
  tag?: number;
  /** On `port`'s interface. */
  externalIds?: StringMap;
}

/** Settings of {@link VSwitch.delPort}. */
export interface DelPortOptions {
  /** The bridge the port is expected on; a port found on another bridge is `port-on-other-bridge`. */
  bridge?: string;
  /**
   * With `bridge`: delete the port only when it is on that bridge; a port on another bridge, or
   * a bridge that does not exist, is left alone without error (ovsdbapp's
   * `del_port(port, bridge, if_exists=True)`, which os-vif calls).
   */
  ifOnBridge?: boolean;
}

/** What one call's transaction created (for undoing exactly that, e.g. on a rollback). */
export interface BatchOutcome {
  /** Bridges the call created (each with its internal port, not listed in `createdPorts`). */
  createdBridges: string[];
  /** Ports the call added (ports that existed already and only got settings are not listed). */
  createdPorts: string[];
  /**
   * What ovs-vswitchd made of the transaction, when the call asked for `awaitVswitchdMs` and the
   * transaction changed something (a transaction that commits nothing bumps nothing, as in the IDL).
   */
  vswitchd?: VswitchdReport;
}

/**
 * ovsdbapp's post-commit check (`OvsVsctlTransaction.post_commit`): did ovs-vswitchd reach the
 * `next_cfg` the transaction set, and did every interface the call's `addPort` verbs inserted
 * get an OpenFlow port?
 */
export interface VswitchdReport {
  /** The `Open_vSwitch.next_cfg` value the transaction set. */
  nextCfg: number;
  /** True when `cur_cfg` did not reach `nextCfg` within the bound (the interfaces were not checked). */
  timedOut: boolean;
  /** The bound that applied, in ms (0: none). */
  timeoutMs: number;
  /** Interfaces inserted by the call whose `ofport` is empty or -1 once `cur_cfg` was reached. */
  failedInterfaces: FailedInterface[];
  /** How long the call waited for `cur_cfg` after its commit, in ms. */
  waitedMs: number;
}

/** An interface ovs-vswitchd could not attach. */
export interface FailedInterface {
  name: string;
  /** `Interface.ofport` (-1, or null when empty). */
  ofport: number | null;
  /** `Interface.error`, if any. */
  error: string | null;
}

/** Options of a verb call (or a batch). */
export interface VerbOptions {
  /**
   * After committing, wait for ovs-vswitchd to apply the change (next_cfg/cur_cfg) up to this many
   * ms; rejects with `VSwitchError('timeout')` when it does not.
   */
  waitAppliedMs?: number;
  /**
   * ovsdbapp's vsctl transaction: bump `Open_vSwitch.next_cfg` in the same transaction, wait for
   * `cur_cfg` to reach it until this many ms (0: no limit) after the call started (commit
   * included, as ovsdbapp bounds the whole transaction), then check the interfaces the call
   * inserted; never rejects for that, the outcome's `vswitchd` report says what happened.
   */
  awaitVswitchdMs?: number;
  /**
   * Bound of the commit in ms, counted from the call: the wait in the queue behind other calls'
   * commits, every attempt and the waits for a reconnection share it (a call whose bound is
   * spent before its turn is rejected with OvsdbTimeoutError, unsent).
   */
  timeoutMs?: number;
}

const TABLES = ['Open_vSwitch', 'Bridge', 'Port', 'Interface'] as const;

type Verb = (ctx: VerbContext) => void;

interface Call {
  verbs: Verb[];
  timeoutMs: number | undefined;
  /** `performance.now()` by which the commit must be done (from timeoutMs; undefined: none). */
  deadline: number | undefined;
  /** Bump next_cfg in the transaction (the call waits for ovs-vswitchd afterwards). */
  bump: boolean;
  /** `uuid-name`s of the interfaces the call's addPort verbs inserted (this attempt). */
  ifaces?: string[];
  /** Set after the commit: next_cfg as set by the transaction and the real UUIDs of the inserts. */
  committed?: { nextCfg: number | undefined; inserted: Map<string, Uuid> };
  resolve: (outcome: BatchOutcome) => void;
  /** What the call's verbs created in the transaction being built. */
  outcome?: BatchOutcome;
  reject: (e: unknown) => void;
  /** Set once the call has been re-run after a freshness barrier. */
  fresh?: boolean;
}

/** At most this many concurrent calls share one transaction. */
const MAX_GROUP = 1000;

/** The Open_vSwitch helpers. */
export class VSwitch {
  /** The replica behind the helpers (Open_vSwitch, Bridge, Port, Interface). */
  readonly replica: Replica;
  private readonly portOwner = new Map<string, string>();
  private readonly ifaceOwner = new Map<string, string>();
  private readonly queue: Call[] = [];
  private flushing = false;
  /** Calls waiting for `cur_cfg` to reach a value, checked after every replica update. */
  private readonly cfgWaiters = new Set<{ target: number; done: () => void }>();

  private constructor(replica: Replica) {
    this.replica = replica;
    for (const b of replica.rows('Bridge')) this.own(this.portOwner, b, 'ports', undefined);
    for (const p of replica.rows('Port')) this.own(this.ifaceOwner, p, 'interfaces', undefined);
    replica.on('change', (c: { table: string; old?: Row; new?: Row }) => {
      if (c.table === 'Bridge') this.own(this.portOwner, c.new, 'ports', c.old);
      else if (c.table === 'Port') this.own(this.ifaceOwner, c.new, 'interfaces', c.old);
    });
    const wake = () => {
      if (this.cfgWaiters.size === 0) return;
      const cur = this.curCfg();
      for (const w of this.cfgWaiters) if (cur >= w.target) w.done();
    };
    replica.on('batch', wake);
    replica.on('synced', wake);
  }

  /** Starts the replica of the Open_vSwitch tables (statistics columns left out) on `client`. */
  static async open(client: OvsdbClient, options: { db?: string } = {}): Promise<VSwitch> {
    const db = options.db ?? 'Open_vSwitch';
    const schema = await client.schema(db);
    const tables: Record<string, string[]> = {};
    for (const t of TABLES) tables[t] = [...schema.table(t).columns.keys()].filter((c) => c !== 'statistics');
    const replica = await Replica.open(client, db, {
      tables,
      indexes: { Bridge: ['name'], Port: ['name'], Interface: ['name', 'external_ids:iface-id'] },
    });
    return new VSwitch(replica);
  }

  /** Stops the replica (the client stays open). */
  close(): Promise<void> {
    return this.replica.close();
  }

  // ---- verbs ---------------------------------------------------------------------------------

  /** Creates the `Open_vSwitch` root row when there is none (what `ovs-vsctl init` does). */
  async initialize(): Promise<void> {
    await runTransaction(
      this.replica,
      (txn) => {
        if (this.replica.count('Open_vSwitch') > 0) return;
        txn.push({
          op: 'wait',
          table: 'Open_vSwitch',
          where: [],
          columns: ['_uuid'],
          until: '==',
          rows: [],
          timeout: 0,
        });
        txn.insert('Open_vSwitch', {});
      },
      { retryOnDisconnect: true },
    );
  }

  /** Ensures bridge `name` exists (with its internal port); sets `datapath_type` when given. */
  async ensureBridge(name: string, options: BridgeOptions = {}, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.ensureBridge(name, options)], verb);
  }

  /** Deletes bridge `name` with its ports; nothing when it does not exist. */
  async delBridge(name: string, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.delBridge(name)], verb);
  }

  /**
   * Adds port `name` (with one interface of the same name) to `bridge`. When a port of that name
   * exists already (on any bridge, as os-vif's native backend does), only the settings are
   * applied: scalar columns overwritten, maps merged.
   */
  async addPort(
    bridge: string,
    name: string,
    options: AddPortOptions = {},
    verb: VerbOptions = {},
  ): Promise<void> {
    await this.run([(ctx) => ctx.addPort(bridge, name, options)], verb);
  }

  /**
   * Deletes port `name`; nothing when it does not exist. With `bridge`, a port found on
   * another bridge is an error (`port-on-other-bridge`), as with `ovs-vsctl del-port`, or is
   * left alone with `ifOnBridge`.
   */
  async delPort(name: string, options: DelPortOptions = {}, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.delPort(name, options)], verb);
  }

  /** Sets columns of interface `name` (maps merged). */
  async setInterface(name: string, settings: InterfaceSettings, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.setInterface(name, settings)], verb);
  }

  /** Sets columns of port `name` (maps merged). */
  async setPort(name: string, settings: PortSettings, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.setPort(name, settings)], verb);
  }

  /** Adds both ends of a patch-port pair in one transaction. */
  async addPatchPair(pair: PatchPair, verb: VerbOptions = {}): Promise<void> {
    await this.run([(ctx) => ctx.addPatchPair(pair)], verb);
  }

  /**
   * Runs several verbs as ONE transaction: `fn` queues them on the batch (in order; later verbs
   * see the bridges and ports that earlier ones create or delete). Resolves with what the
   * committed transaction created, as decided on the replica it was built on (so it is exact
   * even when another client created the same bridge a moment before).
   */
  async batch(fn: (b: VSwitchBatch) => void, verb: VerbOptions = {}): Promise<BatchOutcome> {
    const verbs: Verb[] = [];
    const add = (v: Verb): void => {
      verbs.push(v);
    };
    const b: VSwitchBatch = {
      ensureBridge: (n, o = {}) => add((c) => c.ensureBridge(n, o)),
      delBridge: (n) => add((c) => c.delBridge(n)),
      addPort: (br, n, o = {}) => add((c) => c.addPort(br, n, o)),
      delPort: (n, o = {}) => add((c) => c.delPort(n, o)),
      setInterface: (n, s) => add((c) => c.setInterface(n, s)),
      setPort: (n, s) => add((c) => c.setPort(n, s)),
      addPatchPair: (p) => add((c) => c.addPatchPair(p)),
    };
    fn(b);
    return this.run(verbs, verb);
  }

  /**
   * Waits until ovs-vswitchd has applied everything committed so far: bumps `next_cfg` and
   * waits for `cur_cfg` to reach it. Rejects with `VSwitchError('timeout')`.
   */
  async waitApplied(timeoutMs: number): Promise<void> {
    const root = this.root();
    const results = await this.replica.client.transact('Open_vSwitch', [
      {
        op: 'mutate',
        table: 'Open_vSwitch',
        where: [['_uuid', '==', root]],
        mutations: [['next_cfg', '+=', 1]],
      },
      { op: 'select', table: 'Open_vSwitch', where: [['_uuid', '==', root]], columns: ['next_cfg'] },
    ]);
    const target = results[1]?.rows?.[0]?.next_cfg as number;
    if (!(await this.waitCfg(target, timeoutMs))) throw appliedTimeout(target, timeoutMs);
  }

  /** Waits until interface `name` has an OpenFlow port number; resolves with it. */
  async waitForOfport(name: string, timeoutMs: number): Promise<number> {
    const get = () => this.replica.findOne('Interface', 'name', name)?.ofport;
    await this.replica
      .waitFor(() => typeof get() === 'number', timeoutMs, `ofport of ${name}`)
      .catch(() => {
        throw new VSwitchError('timeout', `interface ${name} got no ofport within ${timeoutMs} ms`);
      });
    const ofport = get() as number;
    if (ofport < 0) {
      const err = this.replica.findOne('Interface', 'name', name)?.error;
      throw new VSwitchError(
        'apply-failed',
        `ovs-vswitchd could not attach ${name}${err ? `: ${String(err)}` : ''}`,
      );
    }
    return ofport;
  }

  /**
   * Resolves once the replica shows every commit the server had made when this was called
   * (by any client): waits for the replica to be in sync with the current session, then one
   * `echo` round trip (the server sends pending monitor updates before later replies). Call it
   * before a read whose answer must not lag another client's commit.
   */
  async sync(timeoutMs?: number): Promise<void> {
    await this.replica.synced(timeoutMs);
    await this.replica.client.echo();
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** True when the database schema has that column (e.g. `Interface.mtu_request` before OVS 2.6). */
  hasColumn(table: string, column: string): boolean {
    return this.replica.schema.tables.get(table)?.columns.has(column) ?? false;
  }

  /** Bridge names, sorted. */
  listBridges(): string[] {
    return [...this.replica.rows('Bridge')].map((r) => r.name as string).sort();
  }

  /** True when bridge `name` exists. */
  bridgeExists(name: string): boolean {
    return this.replica.findOne('Bridge', 'name', name) !== undefined;
  }

  /** `datapath_type` of bridge `name`, or undefined when absent. */
  bridgeDatapathType(name: string): string | undefined {
    return this.replica.findOne('Bridge', 'name', name)?.datapath_type as string | undefined;
  }

  /** Names of the ports of `bridge` (its own internal port included), sorted; [] when absent. */
  listPorts(bridge: string): string[] {
    const b = this.replica.findOne('Bridge', 'name', bridge);
    if (!b) return [];
    return (b.ports as Uuid[])
      .map((u) => this.replica.get('Port', u)?.name as string | undefined)
      .filter((n): n is string => n !== undefined)
      .sort();
  }

  /** Port `name`, or undefined. */
  findPort(name: string): PortInfo | undefined {
    const p = this.replica.findOne('Port', 'name', name);
    return p && this.portInfo(p);
  }

  /** Interface `name`, or undefined. */
  findInterface(name: string): InterfaceInfo | undefined {
    const i = this.replica.findOne('Interface', 'name', name);
    return i && this.ifaceInfo(i);
  }

  /** Interfaces whose `external_ids:iface-id` is `ifaceId`. */
  findInterfacesByIfaceId(ifaceId: string): InterfaceInfo[] {
    return this.replica.find('Interface', 'external_ids:iface-id', ifaceId).map((i) => this.ifaceInfo(i));
  }

  /** Ports holding an interface whose `external_ids:iface-id` is `ifaceId`. */
  findPortsByIfaceId(ifaceId: string): PortInfo[] {
    const names = new Set(this.findInterfacesByIfaceId(ifaceId).map((i) => i.port));
    return [...names].flatMap((n) => (n === undefined ? [] : [this.findPort(n)!]));
  }

  /** The bridge holding port `name`, or undefined. */
  portBridge(name: string): string | undefined {
    return this.findPort(name)?.bridge;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** @internal */
  root(): Uuid {
    const r = this.replica.rows('Open_vSwitch').next();
    if (r.done)
      throw new VSwitchError(
        'not-initialized',
        'the Open_vSwitch table has no row (run initialize() or ovs-vsctl init)',
      );
    return r.value._uuid as Uuid;
  }

  /** @internal the name of the bridge owning a port uuid */
  ownerBridge(portUuid: string): Row | undefined {
    const b = this.portOwner.get(portUuid);
    return b ? this.replica.get('Bridge', b) : undefined;
  }

  /**
   * Queues a call. Calls made while a commit is in flight are grouped into the next transaction
   * (group commit): each call stays atomic, a call whose verbs fail (bridge missing, ...) is
   * rejected alone, and when the server refuses a grouped transaction every call is re-run in a
   * transaction of its own, so one bad call never fails the others.
   */
  private async run(verbs: Verb[], options: VerbOptions): Promise<BatchOutcome> {
    const started = performance.now();
    const waitMs = options.waitAppliedMs ?? options.awaitVswitchdMs;
    const call: Call = {
      verbs,
      timeoutMs: options.timeoutMs,
      deadline: options.timeoutMs ? started + options.timeoutMs : undefined,
      bump: waitMs !== undefined,
      resolve: () => {},
      reject: () => {},
    };
    const outcome = await new Promise<BatchOutcome>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
      this.queue.push(call);
      if (!this.flushing) void this.flush();
    });
    const nextCfg = call.committed?.nextCfg;
    if (waitMs === undefined || nextCfg === undefined) return outcome;
    const left =
      options.waitAppliedMs !== undefined || waitMs === 0
        ? waitMs
        : Math.max(1, waitMs - (performance.now() - started));
    const report = await this.postCommit(call, nextCfg, waitMs, left);
    if (options.waitAppliedMs !== undefined && report.timedOut) throw appliedTimeout(nextCfg, waitMs);
    return { ...outcome, vswitchd: report };
  }

  /** ovsdbapp's `do_post_commit`: wait for `cur_cfg`, then look at the inserted interfaces. */
  private async postCommit(
    call: Call,
    nextCfg: number,
    timeoutMs: number,
    leftMs: number,
  ): Promise<VswitchdReport> {
    const report: VswitchdReport = { nextCfg, timedOut: false, timeoutMs, failedInterfaces: [], waitedMs: 0 };
    const waitStarted = performance.now();
    const applied = await this.waitCfg(nextCfg, leftMs);
    report.waitedMs = performance.now() - waitStarted;
    if (!applied) {
      report.timedOut = true;
      return report;
    }
    for (const name of call.ifaces ?? []) {
      const uuid = call.committed?.inserted.get(name);
      const row = uuid && this.replica.get('Interface', uuid);
      if (!row) continue;
      const ofport = typeof row.ofport === 'number' ? row.ofport : null;
      if (ofport === null || ofport === 0 || ofport === -1)
        report.failedInterfaces.push({
          name: row.name as string,
          ofport,
          error: typeof row.error === 'string' ? row.error : null,
        });
    }
    return report;
  }

  /** `cur_cfg` of the root row as the replica shows it (0 without one). */
  private curCfg(): number {
    const r = this.replica.rows('Open_vSwitch').next();
    return r.done ? 0 : ((r.value.cur_cfg as number | undefined) ?? 0);
  }

  /**
   * Resolves true once the replica shows `cur_cfg >= target`, false after `timeoutMs` (0: no
   * limit). Woken by replica updates, never by polling.
   */
  private waitCfg(target: number, timeoutMs: number): Promise<boolean> {
    if (this.curCfg() >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        target,
        done: () => {
          clearTimeout(timer);
          this.cfgWaiters.delete(waiter);
          resolve(true);
        },
      };
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.cfgWaiters.delete(waiter);
              resolve(false);
            }, timeoutMs)
          : undefined;
      this.cfgWaiters.add(waiter);
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.flushing = false;
    }
  }

  private async commitGroup(all: Call[]): Promise<void> {
    const now = performance.now();
    const expired = all.filter((c) => c.deadline !== undefined && c.deadline <= now);
    for (const c of expired)
      c.reject(new OvsdbTimeoutError('transact', c.timeoutMs as number, this.replica.client.remote));
    const group = all.filter((c) => !expired.includes(c));
    if (group.length === 0) return;
    const failed = new Map<Call, unknown>();
    const timeouts = group.map((c) =>
      c.deadline !== undefined ? Math.max(1, Math.ceil(c.deadline - now)) : c.timeoutMs,
    );
    const bounded = timeouts.filter((t): t is number => t !== undefined);
    try {
      const {
        value: bumped,
        results,
        inserted,
      } = await runTransaction(
        this.replica,
        (txn) => {
          failed.clear();
          const ctx = new VerbContext(this, txn);
          for (const call of group) {
            const mark = txn.mark();
            const undo = ctx.mark();
            const from = ctx.createdCount();
            try {
              for (const v of call.verbs) v(ctx);
              call.outcome = ctx.createdSince(from);
              call.ifaces = ctx.interfacesSince(from);
            } catch (e) {
              txn.rollback(mark);
              ctx.rollback(undo);
              failed.set(call, e);
            }
          }
          return this.bumpNextCfg(
            txn,
            group.some((c) => c.bump && !failed.has(c)),
          );
        },
        { retryOnDisconnect: true, timeoutMs: bounded.length ? Math.min(...bounded) : undefined },
      );
      // the select of next_cfg is the transaction's last operation (no comment is added)
      const nextCfg = bumped
        ? (results[results.length - 1]?.rows?.[0]?.next_cfg as number | undefined)
        : undefined;
      for (const c of group) c.committed = { nextCfg, inserted };
    } catch (e) {
      const rest = group.filter((c) => !failed.has(c));
      if (rest.length > 1 && e instanceof OvsdbOperationError) {
        for (const c of rest) await this.commitGroup([c]);
      } else for (const c of rest) c.reject(e);
      await this.settleFailed(failed);
      return;
    }
    for (const c of group)
      if (!failed.has(c)) c.resolve(c.outcome ?? { createdBridges: [], createdPorts: [] });
    await this.settleFailed(failed);
  }

  /**
   * ovsdbapp's `pre_commit`: one `next_cfg += 1` for the whole (group) transaction, and a
   * `select` of the value it set, as the last operations. Only when the transaction writes
   * something and the root row exists. Returns whether it bumped.
   */
  private bumpNextCfg(txn: ReplicaTxn, wanted: boolean): boolean {
    if (!wanted || txn.ops.length === 0 || this.replica.count('Open_vSwitch') === 0) return false;
    const where: Condition[] = [['_uuid', '==', this.root()]];
    txn.push({ op: 'mutate', table: 'Open_vSwitch', where, mutations: [['next_cfg', '+=', 1]] });
    txn.push({ op: 'select', table: 'Open_vSwitch', where, columns: ['next_cfg'] });
    return true;
  }

  /**
   * A verb that found no bridge/port may have read a replica that is a little behind another
   * client's commit. Such calls run once more after an `echo` round trip (the server sends the
   * pending updates before the reply), and only then fail.
   */
  private async settleFailed(failed: Map<Call, unknown>): Promise<void> {
    const again = [...failed].filter(([c, e]) => e instanceof VSwitchError && !c.fresh).map(([c]) => c);
    for (const [c, e] of failed) if (!again.includes(c)) c.reject(e);
    if (again.length === 0) return;
    await this.replica.client.echo().catch(() => {});
    for (const c of again) c.fresh = true;
    await this.commitGroup(again);
  }

  private own(map: Map<string, string>, row: Row | undefined, column: string, old: Row | undefined): void {
    if (old)
      for (const u of old[column] as Uuid[]) if (map.get(u.id) === (old._uuid as Uuid).id) map.delete(u.id);
    if (row) for (const u of row[column] as Uuid[]) map.set(u.id, (row._uuid as Uuid).id);
  }

  private portInfo(p: Row): PortInfo {
    const owner = this.portOwner.get((p._uuid as Uuid).id);
    return {
      uuid: (p._uuid as Uuid).id,
      name: p.name as string,
      bridge: owner ? (this.replica.get('Bridge', owner)?.name as string | undefined) : undefined,
      tag: (p.tag as number | null) ?? null,
      interfaces: (p.interfaces as Uuid[])
        .map((u) => this.replica.get('Interface', u)?.name as string)
        .filter(Boolean),
      externalIds: toRecord(p.external_ids),
    };
  }

  private ifaceInfo(i: Row): InterfaceInfo {
    const portId = this.ifaceOwner.get((i._uuid as Uuid).id);
    const port = portId ? this.replica.get('Port', portId) : undefined;
    const bridgeId = portId ? this.portOwner.get(portId) : undefined;
    return {
      uuid: (i._uuid as Uuid).id,
      name: i.name as string,
      type: i.type as string,
      options: toRecord(i.options),
      externalIds: toRecord(i.external_ids),
      mtuRequest: (i.mtu_request as number | null) ?? null,
      ofport: (i.ofport as number | null) ?? null,
      error: (i.error as string | null) ?? null,
      port: port?.name as string | undefined,
      bridge: bridgeId ? (this.replica.get('Bridge', bridgeId)?.name as string | undefined) : undefined,
    };
  }
}

function appliedTimeout(target: number, timeoutMs: number): VSwitchError {
  return new VSwitchError('timeout', `ovs-vswitchd did not apply next_cfg ${target} within ${timeoutMs} ms`);
}

function toRecord(v: Value | undefined): StringMap {
  const out: StringMap = {};
  if (v instanceof Map) for (const [k, x] of v) out[String(k)] = String(x);
  return out;
}

type Ref = Uuid | NamedUuid;

/** The state of one transaction's verbs: the replica plus what earlier verbs created or deleted. */
class VerbContext {
  private readonly newBridges = new Map<string, Ref>();
  private readonly newPorts = new Map<string, { port: Ref; iface: Ref; bridge: Ref; bridgeName: string }>();
  private readonly goneBridges = new Set<string>();
  private readonly gonePorts = new Set<string>();
  private readonly undo: Array<() => void> = [];
  /** Rows (uuid) already written by this transaction. */
  private readonly touched = new Set<string>();
  /** Bridges and ports created by the verbs so far, in order (a port with its interface's uuid-name). */
  private readonly created: Array<{ kind: 'bridge' | 'port'; name: string; iface?: string }> = [];

  constructor(
    private readonly vs: VSwitch,
    private readonly txn: ReplicaTxn,
  ) {}

  /** A point to roll the overlay back to. */
  mark(): number {
    return this.undo.length;
  }

  /** How many creations the verbs made so far (a point for {@link createdSince}). */
  createdCount(): number {
    return this.created.length;
  }

  /** The bridges and ports created since `from`. */
  createdSince(from: number): BatchOutcome {
    const made = this.created.slice(from);
    return {
      createdBridges: made.filter((c) => c.kind === 'bridge').map((c) => c.name),
      createdPorts: made.filter((c) => c.kind === 'port').map((c) => c.name),
    };
  }

  /** The `uuid-name`s of the interfaces inserted by addPort since `from` (ovsdbapp's expected_ifaces). */
  interfacesSince(from: number): string[] {
    return this.created.slice(from).flatMap((c) => (c.iface ? [c.iface] : []));
  }

  private noteCreated(kind: 'bridge' | 'port', name: string, iface?: string): void {
    this.created.push({ kind, name, iface });
    this.undo.push(() => {
      this.created.pop();
    });
  }

  /** Undoes the overlay changes made since `mark`. */
  rollback(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }

  /** Changes a map or set of the overlay, remembering how to undo it. */
  private change<K, V>(m: Map<K, V> | Set<K>, key: K, value: V | undefined, remove: boolean): void {
    const had = m.has(key);
    const old = m instanceof Map ? m.get(key) : undefined;
    if (remove) m.delete(key);
    else if (m instanceof Map) m.set(key, value as V);
    else m.add(key);
    this.undo.push(() => {
      if (!had) m.delete(key);
      else if (m instanceof Map) m.set(key, old as V);
      else m.add(key);
    });
  }

  private bridge(name: string): Ref | undefined {
    const created = this.newBridges.get(name);
    if (created) return created;
    if (this.goneBridges.has(name)) return undefined;
    return this.txn.findOne('Bridge', 'name', name)?._uuid as Uuid | undefined;
  }

  private port(name: string): { port: Ref; iface: Ref | undefined; row?: Row } | undefined {
    const created = this.newPorts.get(name);
    if (created) return created;
    if (this.gonePorts.has(name)) return undefined;
    const row = this.txn.findOne('Port', 'name', name);
    if (!row) return undefined;
    const ifaces = (row.interfaces as Uuid[]).filter(
      (u) => this.vs.replica.get('Interface', u)?.name === name,
    );
    return { port: row._uuid as Uuid, iface: ifaces[0], row };
  }

  ensureBridge(name: string, o: BridgeOptions): void {
    checkName(name);
    const existing = this.bridge(name);
    if (existing) {
      this.write(
        'Bridge',
        existing,
        { datapath_type: o.datapathType, fail_mode: o.failMode },
        { external_ids: o.externalIds, other_config: o.otherConfig },
      );
      return;
    }
    if (this.port(name))
      throw new VSwitchError('name-in-use', `cannot create bridge ${name}: a port of that name exists`);
    const root = this.vs.root();
    this.txn.get('Open_vSwitch', root);
    const iface = this.txn.insert('Interface', { name, type: 'internal' });
    const port = this.txn.insert('Port', { name, interfaces: [iface] });
    const row: RowInput = { name, ports: [port] };
    if (o.datapathType !== undefined) row.datapath_type = o.datapathType;
    if (o.failMode !== undefined) row.fail_mode = o.failMode;
    if (o.externalIds) row.external_ids = o.externalIds;
    if (o.otherConfig) row.other_config = o.otherConfig;
    const br = this.txn.insert('Bridge', row);
    this.txn.mutate('Open_vSwitch', root, [['bridges', 'insert', [br]]]);
    this.change(this.newBridges, name, br, false);
    this.change(this.newPorts, name, { port, iface, bridge: br, bridgeName: name }, false);
    this.change(this.goneBridges, name, undefined, true);
    this.noteCreated('bridge', name);
  }

  delBridge(name: string): void {
    const br = this.bridge(name);
    if (!br) return;
    const root = this.vs.root();
    this.txn.mutate('Open_vSwitch', root, [['bridges', 'delete', [br]]]);
    this.change(this.newBridges, name, undefined, true);
    this.change(this.goneBridges, name, undefined, false);
    const row = br instanceof Uuid ? this.vs.replica.get('Bridge', br) : undefined;
    for (const p of (row?.ports as Uuid[] | undefined) ?? []) {
      const pn = this.vs.replica.get('Port', p)?.name as string | undefined;
      if (pn) this.change(this.gonePorts, pn, undefined, false);
    }
  }

  addPort(bridge: string, name: string, o: AddPortOptions): void {
    checkName(name);
    const existing = this.port(name);
    if (existing) {
      this.applyPort(existing.port, o);
      if (existing.iface) this.applyIface(existing.iface, o);
      return;
    }
    const br = this.bridge(bridge);
    if (!br) throw new VSwitchError('bridge-not-found', `bridge ${bridge} does not exist`);
    const irow: RowInput = { name };
    if (o.type !== undefined) irow.type = o.type;
    if (o.options) irow.options = o.options;
    if (o.externalIds) irow.external_ids = o.externalIds;
    if (o.mtuRequest !== undefined) irow.mtu_request = o.mtuRequest;
    const iface = this.txn.insert('Interface', irow);
    const prow: RowInput = { name, interfaces: [iface] };
    if (o.tag !== undefined) prow.tag = o.tag;
    if (o.portExternalIds) prow.external_ids = o.portExternalIds;
    const port = this.txn.insert('Port', prow);
    this.txn.mutate('Bridge', br, [['ports', 'insert', [port]]]);
    this.change(this.newPorts, name, { port, iface, bridge: br, bridgeName: bridge }, false);
    this.change(this.gonePorts, name, undefined, true);
    this.noteCreated('port', name, iface.name);
  }

  delPort(name: string, { bridge, ifOnBridge }: DelPortOptions): void {
    const p = this.port(name);
    if (!p) return;
    let owner: Ref | undefined;
    let ownerName: string | undefined;
    if (p.port instanceof Uuid) {
      const b = this.vs.ownerBridge(p.port.id);
      if (b) {
        owner = b._uuid as Uuid;
        ownerName = b.name as string;
        this.txn.verify('Bridge', b, ['name']);
      }
    } else {
      const created = this.newPorts.get(name);
      owner = created?.bridge;
      ownerName = created?.bridgeName;
    }
    if (bridge !== undefined && ownerName !== bridge) {
      if (ifOnBridge) return;
      if (ownerName !== undefined)
        throw new VSwitchError(
          'port-on-other-bridge',
          `port ${name} is on bridge ${ownerName}, not ${bridge}`,
        );
    }
    if (owner) this.txn.mutate('Bridge', owner, [['ports', 'delete', [p.port]]]);
    this.change(this.newPorts, name, undefined, true);
    this.change(this.gonePorts, name, undefined, false);
  }

  setInterface(name: string, s: InterfaceSettings): void {
    const p = this.newPorts.get(name);
    const iface = p?.iface ?? (this.txn.findOne('Interface', 'name', name)?._uuid as Uuid | undefined);
    if (!iface) throw new VSwitchError('interface-not-found', `interface ${name} does not exist`);
    this.applyIface(iface, s);
  }

  setPort(name: string, s: PortSettings): void {
    const p = this.port(name);
    if (!p) throw new VSwitchError('port-not-found', `port ${name} does not exist`);
    this.applyPort(p.port, s);
  }

  addPatchPair(pair: PatchPair): void {
    const a: AddPortOptions = { type: 'patch', options: { peer: pair.peerPort } };
    if (pair.tag !== undefined) a.tag = pair.tag;
    if (pair.externalIds) a.externalIds = pair.externalIds;
    this.addPort(pair.bridge, pair.port, a);
    this.addPort(pair.peerBridge, pair.peerPort, { type: 'patch', options: { peer: pair.port } });
  }

  private applyPort(port: Ref, o: PortSettings): void {
    this.write('Port', port, { tag: o.tag }, { external_ids: o.portExternalIds });
  }

  private applyIface(iface: Ref, o: InterfaceSettings): void {
    this.write(
      'Interface',
      iface,
      { type: o.type, mtu_request: o.mtuRequest },
      { options: o.options, external_ids: o.externalIds },
    );
  }

  /**
   * Sets scalar columns and merges string maps into map columns (keys deleted then inserted, so
   * values are overwritten). What the replica already shows is left out, unless an earlier verb
   * of this transaction wrote the row: an idempotent re-plug then commits nothing at all.
   */
  private write(
    table: string,
    ref: Ref,
    scalars: Record<string, string | number | null | undefined>,
    maps: Record<string, StringMap | undefined>,
  ): void {
    const current =
      ref instanceof Uuid && !this.touched.has(ref.id) ? this.vs.replica.get(table, ref) : undefined;
    const row: RowInput = {};
    for (const [col, v] of Object.entries(scalars)) {
      if (v === undefined) continue;
      if (current && (current[col] ?? null) === v) continue;
      row[col] = v;
    }
    const mutations: Mutation[] = [];
    for (const [col, m] of Object.entries(maps)) {
      if (!m || Object.keys(m).length === 0) continue;
      const have = current?.[col];
      if (have instanceof Map && Object.entries(m).every(([k, v]) => have.get(k) === v)) continue;
      mutations.push([col, 'delete', Object.keys(m)], [col, 'insert', m]);
    }
    if (Object.keys(row).length === 0 && mutations.length === 0) return;
    if (current)
      this.txn.verify(
        table,
        current,
        [...Object.keys(scalars), ...Object.keys(maps)].filter((c) => c in current),
      );
    this.txn.update(table, ref, row);
    this.txn.mutate(table, ref, mutations);
    if (ref instanceof Uuid) this.change(this.touched, ref.id, undefined, false);
  }
}

/**
 * A bridge, port or interface name OVSDB and ovs-vswitchd can take: 1 to 255 characters, valid
 * Unicode (a lone surrogate would reach the server as U+FFFD), no NUL (ovsdb-server drops the
 * connection), no control characters or whitespace (ovs-vswitchd names netdevs after them; a
 * newline would forge log lines), not `.`, `..` or containing `/` (paths under /sys/class/net).
 */
function checkName(name: string): void {
  const bad = (why: string) =>
    new VSwitchError('invalid-name', `invalid name ${JSON.stringify(name)}: ${why}`);
  if (typeof name !== 'string' || name.length === 0 || name.length > 255)
    throw bad('must be 1 to 255 characters');
  if (/\p{Cs}/u.test(name)) throw bad('not valid Unicode (lone surrogate)');
  if (/[\s\p{Cc}]/u.test(name)) throw bad('must not contain NUL, control characters or whitespace');
  if (name === '.' || name === '..' || name.includes('/'))
    throw bad("must not be '.' or '..' or contain '/'");
}
