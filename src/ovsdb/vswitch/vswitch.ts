/**
 * `Open_vSwitch` helpers: the vsctl-like verbs the ovs plugin needs, on a live replica of the
 * Open_vSwitch, Bridge, Port and Interface tables. Every verb is idempotent (`may-exist` /
 * `if-exists` semantics), runs as one optimistic transaction (its reads become prerequisites,
 * a conflict re-runs it on the refreshed replica), and several verbs can be batched into one
 * transaction with {@link VSwitch.batch}, where each verb sees what the earlier ones did.
 * Concurrent calls share transactions (./scheduler.ts); the verbs write (./verbs.ts); the
 * wait for ovs-vswitchd is ./vswitchd.ts.
 */
import type { OvsdbClient } from '../client.js';
import { VSwitchError } from '../errors.js';
import { Replica } from '../replica.js';
import { runTransaction } from '../txn.js';
import type { Row, Uuid } from '../values.js';
import { Owners } from './owners.js';
import { type Committed, GroupCommit, type GroupCommitOptions } from './scheduler.js';
import type {
  AddPortOptions,
  BatchOutcome,
  BridgeOptions,
  DelPortOptions,
  InterfaceInfo,
  InterfaceSettings,
  PatchPair,
  PortInfo,
  PortSettings,
  VerbOptions,
  VSwitchBatch,
} from './types.js';
import { type Applied, type Verb, VerbContext } from './verbs.js';
import { appliedTimeout, Vswitchd } from './vswitchd.js';

const TABLES = ['Open_vSwitch', 'Bridge', 'Port', 'Interface'] as const;

/** Options of {@link VSwitch.open}. */
export interface VSwitchOpenOptions {
  /** The database name (default `Open_vSwitch`). */
  db?: string;
  /** How concurrent calls are grouped into transactions (tests inject how a commit starts). */
  groupCommit?: GroupCommitOptions;
}

/** The Open_vSwitch helpers. */
export class VSwitch {
  /** The replica behind the helpers (Open_vSwitch, Bridge, Port, Interface). */
  readonly replica: Replica;
  private readonly owners: Owners;
  private readonly vswitchd: Vswitchd;
  private readonly commits: GroupCommit<readonly Verb[], Applied>;

  private constructor(replica: Replica, groupCommit: GroupCommitOptions = {}) {
    this.replica = replica;
    this.owners = new Owners(replica);
    this.vswitchd = new Vswitchd(replica, () => this.root());
    this.commits = new GroupCommit<readonly Verb[], Applied>(
      replica,
      (txn) => {
        const ctx = new VerbContext(this, txn);
        return {
          add: (verbs) => ctx.apply(verbs),
          finish: (flagged) => this.vswitchd.bump(txn, flagged),
        };
      },
      { retryWhenFresh: (e) => e instanceof VSwitchError, ...groupCommit },
    );
  }

  /** Starts the replica of the Open_vSwitch tables (statistics columns left out) on `client`. */
  static async open(client: OvsdbClient, options: VSwitchOpenOptions = {}): Promise<VSwitch> {
    const db = options.db ?? 'Open_vSwitch';
    const schema = await client.schema(db);
    const tables: Record<string, string[]> = {};
    for (const t of TABLES) tables[t] = [...schema.table(t).columns.keys()].filter((c) => c !== 'statistics');
    const replica = await Replica.open(client, db, {
      tables,
      indexes: { Bridge: ['name'], Port: ['name'], Interface: ['name', 'external_ids:iface-id'] },
    });
    return new VSwitch(replica, options.groupCommit);
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
  waitApplied(timeoutMs: number): Promise<void> {
    return this.vswitchd.waitApplied(timeoutMs);
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
    return p && this.owners.portInfo(p);
  }

  /** Interface `name`, or undefined. */
  findInterface(name: string): InterfaceInfo | undefined {
    const i = this.replica.findOne('Interface', 'name', name);
    return i && this.owners.ifaceInfo(i);
  }

  /** Interfaces whose `external_ids:iface-id` is `ifaceId`. */
  findInterfacesByIfaceId(ifaceId: string): InterfaceInfo[] {
    return this.replica
      .find('Interface', 'external_ids:iface-id', ifaceId)
      .map((i) => this.owners.ifaceInfo(i));
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

  /** @internal the bridge row holding a port, by the port's uuid */
  ownerBridge(portUuid: string): Row | undefined {
    return this.owners.ownerBridge(portUuid);
  }

  /**
   * Commits the verbs (in a transaction shared with concurrent calls, see ./scheduler.ts), then,
   * when asked, waits for ovs-vswitchd to apply them.
   */
  private async run(verbs: readonly Verb[], options: VerbOptions): Promise<BatchOutcome> {
    const started = performance.now();
    const wait = options.wait;
    const committed: Committed<Applied> = await this.commits.submit(verbs, {
      flagged: wait !== undefined,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const { outcome, ifaces } = committed.result;
    const nextCfg = committed.read;
    if (wait === undefined || nextCfg === undefined) return outcome;
    const left = wait.timeoutMs === 0 ? 0 : Math.max(1, wait.timeoutMs - (performance.now() - started));
    const inserted = ifaces.flatMap((n) => {
      const u = committed.inserted.get(n);
      return u ? [u] : [];
    });
    const report = await this.vswitchd.postCommit(nextCfg, wait.timeoutMs, left, inserted);
    if (wait.onTimeout === 'reject' && report.timedOut) throw appliedTimeout(nextCfg, wait.timeoutMs);
    return { ...outcome, vswitchd: report };
  }
}
