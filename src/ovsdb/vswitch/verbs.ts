/**
 * The verbs: what each vsctl-like command writes into a transaction being built, on the replica
 * plus an overlay of what the earlier verbs of the same transaction created or deleted (so the
 * verbs of one call, and of the calls grouped with it, see each other's work). Scalar columns
 * and map keys the replica already shows are not written: an idempotent re-plug commits nothing.
 */
import { VSwitchError } from '../errors.js';
import type { Mutation, RowInput } from '../operations.js';
import type { Replica } from '../replica.js';
import type { ReplicaTxn } from '../txn.js';
import { type NamedUuid, type Row, Uuid } from '../values.js';
import type {
  AddPortOptions,
  BatchOutcome,
  BridgeOptions,
  DelPortOptions,
  InterfaceSettings,
  PatchPair,
  PortSettings,
  StringMap,
} from './types.js';

/** One queued verb. */
export type Verb = (ctx: VerbContext) => void;

/** What the verbs read besides the transaction: the replica, its root row and port ownership. */
export interface VerbEnv {
  readonly replica: Replica;
  /** The `Open_vSwitch` root row (VSwitchError `not-initialized` without one). */
  root(): Uuid;
  /** The bridge row holding a port, by the port's uuid. */
  ownerBridge(portUuid: string): Row | undefined;
}

/** What one call's verbs added to a transaction. */
export interface Applied {
  /** The bridges and ports they created. */
  outcome: BatchOutcome;
  /** The `uuid-name`s of the interfaces their addPort verbs inserted (ovsdbapp's expected_ifaces). */
  ifaces: string[];
}

type Ref = Uuid | NamedUuid;

/** The state of one transaction's verbs: the replica plus what earlier verbs created or deleted. */
export class VerbContext {
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
    private readonly vs: VerbEnv,
    private readonly txn: ReplicaTxn,
  ) {}

  /**
   * Adds one call's verbs to the transaction, all or nothing: when a verb throws, the
   * transaction and the overlay are put back as they were before the call and the error is
   * rethrown (the calls grouped with it are unaffected).
   */
  apply(verbs: readonly Verb[]): Applied {
    const ops = this.txn.mark();
    const undo = this.mark();
    const from = this.createdCount();
    try {
      for (const v of verbs) v(this);
    } catch (e) {
      this.txn.rollback(ops);
      this.rollback(undo);
      throw e;
    }
    return { outcome: this.createdSince(from), ifaces: this.interfacesSince(from) };
  }

  /** A point to roll the overlay back to. */
  private mark(): number {
    return this.undo.length;
  }

  /** How many creations the verbs made so far (a point for {@link createdSince}). */
  private createdCount(): number {
    return this.created.length;
  }

  /** The bridges and ports created since `from`. */
  private createdSince(from: number): BatchOutcome {
    const made = this.created.slice(from);
    return {
      createdBridges: made.filter((c) => c.kind === 'bridge').map((c) => c.name),
      createdPorts: made.filter((c) => c.kind === 'port').map((c) => c.name),
    };
  }

  /** The `uuid-name`s of the interfaces inserted by addPort since `from` (ovsdbapp's expected_ifaces). */
  private interfacesSince(from: number): string[] {
    return this.created.slice(from).flatMap((c) => (c.iface ? [c.iface] : []));
  }

  private noteCreated(kind: 'bridge' | 'port', name: string, iface?: string): void {
    this.created.push({ kind, name, iface });
    this.undo.push(() => {
      this.created.pop();
    });
  }

  /** Undoes the overlay changes made since `mark`. */
  private rollback(mark: number): void {
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
