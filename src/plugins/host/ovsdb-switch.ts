/**
 * {@link SwitchHost} over an OVSDB connection, writing the rows ovsdbapp writes for os-vif's
 * `add_br`/`add_port`/`db_set`/`del_port`/`del_br`: a new bridge gets its internal Port and
 * Interface named after it; a new port gets one Interface of its name; map columns are merged
 * (existing keys overwritten, others kept). Each call is one transaction. Assumptions read
 * before it (does the bridge, does the port exist) are guarded by `wait` operations; when
 * another client changed them meanwhile, the transaction is rebuilt and retried (bounded), as
 * the OVS IDL does. Adding a port to a bridge is a `mutate`, so concurrent plugs onto one
 * bridge never conflict.
 */
import type { AddPortStep, SwitchHost, SwitchStep } from './switch.js';

/** The part of `OvsdbClient` this adapter needs (raw RFC 7047 operations). */
export interface OvsdbTransport {
  /** Sends one transaction; resolves to the results, rejects with the first failing operation's error. */
  transactWire(db: string, ops: unknown[], options?: { timeoutMs?: number }): Promise<unknown[]>;
  /** A raw JSON-RPC request (used for `get_schema`). */
  call(method: string, params: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

const DB = 'Open_vSwitch';
const MAX_ATTEMPTS = 8;

type Uuid = ['uuid', string];
type Row = Record<string, unknown>;

/** What a transaction assumed about existing rows. */
interface Snapshot {
  bridges: Map<string, string>;
  ports: Map<string, string>;
}

/** The OVSDB-backed SwitchHost. */
export class OvsdbSwitch implements SwitchHost {
  private schemaColumns?: Promise<Map<string, Set<string>>>;

  constructor(
    private readonly client: OvsdbTransport,
    private readonly timeoutMs?: number,
  ) {}

  async transact(steps: SwitchStep[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.snapshot(steps);
      const ops = buildOps(steps, snapshot);
      if (ops.length === 0) return;
      try {
        await this.client.transactWire(DB, ops, this.callOptions());
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isConflict(error)) throw error;
      }
    }
  }

  async hasColumn(table: string, column: string): Promise<boolean> {
    this.schemaColumns ??= this.loadColumns();
    return (await this.schemaColumns).get(table)?.has(column) ?? false;
  }

  async bridgeExists(bridge: string): Promise<boolean> {
    return (await this.select('Bridge', bridge, ['name'])).length > 0;
  }

  async portBridge(port: string): Promise<string | undefined> {
    const [found] = await this.select('Port', port, ['_uuid']);
    if (!found) return undefined;
    const [result] = await this.client.transactWire(
      DB,
      [{ op: 'select', table: 'Bridge', where: [['ports', 'includes', found._uuid]], columns: ['name'] }],
      this.callOptions(),
    );
    const rows = (result as { rows: Row[] }).rows;
    return rows[0]?.name as string | undefined;
  }

  async bridgePorts(bridge: string): Promise<string[]> {
    const [row] = await this.select('Bridge', bridge, ['ports']);
    if (!row) return [];
    const uuids = setOf(row.ports).map((u) => (u as Uuid)[1]);
    if (uuids.length === 0) return [];
    const results = await this.client.transactWire(
      DB,
      uuids.map((u) => ({
        op: 'select',
        table: 'Port',
        where: [['_uuid', '==', ['uuid', u]]],
        columns: ['name'],
      })),
      this.callOptions(),
    );
    return results.flatMap((r) => (r as { rows: Row[] }).rows.map((x) => x.name as string));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private callOptions(): { timeoutMs?: number } | undefined {
    return this.timeoutMs === undefined ? undefined : { timeoutMs: this.timeoutMs };
  }

  private async select(table: string, name: string, columns: string[]): Promise<Row[]> {
    const [result] = await this.client.transactWire(
      DB,
      [{ op: 'select', table, where: [['name', '==', name]], columns }],
      this.callOptions(),
    );
    return (result as { rows: Row[] }).rows;
  }

  /** Reads, in one transaction, the uuids of the bridges and ports the steps name. */
  private async snapshot(steps: SwitchStep[]): Promise<Snapshot> {
    const bridgeNames = [...new Set(steps.flatMap((s) => ('bridge' in s ? [s.bridge] : [])))];
    const portNames = [
      ...new Set(steps.flatMap((s) => (s.op === 'addPort' || s.op === 'delPort' ? [s.port] : []))),
    ];
    const ops = [
      ...bridgeNames.map((n) => ({
        op: 'select',
        table: 'Bridge',
        where: [['name', '==', n]],
        columns: ['_uuid'],
      })),
      ...portNames.map((n) => ({
        op: 'select',
        table: 'Port',
        where: [['name', '==', n]],
        columns: ['_uuid'],
      })),
    ];
    const snapshot: Snapshot = { bridges: new Map(), ports: new Map() };
    if (ops.length === 0) return snapshot;
    const results = (await this.client.transactWire(DB, ops, this.callOptions())) as { rows: Row[] }[];
    bridgeNames.forEach((n, i) => {
      const row = results[i]?.rows[0];
      if (row) snapshot.bridges.set(n, (row._uuid as Uuid)[1]);
    });
    portNames.forEach((n, i) => {
      const row = results[bridgeNames.length + i]?.rows[0];
      if (row) snapshot.ports.set(n, (row._uuid as Uuid)[1]);
    });
    return snapshot;
  }

  private async loadColumns(): Promise<Map<string, Set<string>>> {
    const columns = new Map<string, Set<string>>();
    const schema = (await this.client.call('get_schema', [DB])) as {
      tables: Record<string, { columns: Record<string, unknown> }>;
    };
    for (const [table, def] of Object.entries(schema.tables))
      columns.set(table, new Set(Object.keys(def.columns)));
    return columns;
  }
}

/** An OVSDB `wait` that the named row is (or is not) there, so a stale read makes the transaction fail. */
function waitFor(table: string, name: string, uuid: string | undefined): unknown {
  return {
    op: 'wait',
    table,
    where: [['name', '==', name]],
    columns: ['_uuid'],
    until: '==',
    rows: uuid === undefined ? [] : [{ _uuid: ['uuid', uuid] }],
    timeout: 0,
  };
}

function ovsMap(map: Record<string, string>): unknown {
  return ['map', Object.entries(map)];
}

/** Turns the steps into wire operations, given what exists. */
function buildOps(steps: SwitchStep[], snap: Snapshot): unknown[] {
  const ops: unknown[] = [];
  const created = { bridges: new Set<string>(), ports: new Set<string>() };
  const guarded = new Set<string>();
  const guard = (table: 'Bridge' | 'Port', name: string) => {
    const key = `${table}:${name}`;
    if (guarded.has(key)) return;
    guarded.add(key);
    ops.push(waitFor(table, name, (table === 'Bridge' ? snap.bridges : snap.ports).get(name)));
  };
  let n = 0;
  const named = (prefix: string) => `${prefix}${n++}`;
  for (const step of steps) {
    switch (step.op) {
      case 'ensureBridge': {
        guard('Bridge', step.bridge);
        if (snap.bridges.has(step.bridge) || created.bridges.has(step.bridge)) {
          ops.push({
            op: 'update',
            table: 'Bridge',
            where: [['name', '==', step.bridge]],
            row: { datapath_type: step.datapathType },
          });
          break;
        }
        const [b, p, i] = [named('br'), named('port'), named('iface')];
        ops.push({
          op: 'insert',
          table: 'Interface',
          'uuid-name': i,
          row: { name: step.bridge, type: 'internal' },
        });
        ops.push({
          op: 'insert',
          table: 'Port',
          'uuid-name': p,
          row: { name: step.bridge, interfaces: ['named-uuid', i] },
        });
        ops.push({
          op: 'insert',
          table: 'Bridge',
          'uuid-name': b,
          row: { name: step.bridge, datapath_type: step.datapathType, ports: ['named-uuid', p] },
        });
        ops.push({
          op: 'mutate',
          table: 'Open_vSwitch',
          where: [],
          mutations: [['bridges', 'insert', ['set', [['named-uuid', b]]]]],
        });
        created.bridges.add(step.bridge);
        break;
      }
      case 'addPort':
        guard('Port', step.port);
        ops.push(...addPortOps(step, snap, created, named));
        break;
      case 'delPort': {
        guard('Port', step.port);
        const uuid = snap.ports.get(step.port);
        if (uuid !== undefined && (snap.bridges.has(step.bridge) || created.bridges.has(step.bridge))) {
          ops.push({
            op: 'mutate',
            table: 'Bridge',
            where: [['name', '==', step.bridge]],
            mutations: [['ports', 'delete', ['set', [['uuid', uuid]]]]],
          });
        }
        break;
      }
      case 'delBridge': {
        guard('Bridge', step.bridge);
        const uuid = snap.bridges.get(step.bridge);
        if (uuid !== undefined) {
          ops.push({
            op: 'mutate',
            table: 'Open_vSwitch',
            where: [],
            mutations: [['bridges', 'delete', ['set', [['uuid', uuid]]]]],
          });
        }
        break;
      }
      case 'setMtuRequest':
        ops.push({
          op: 'update',
          table: 'Interface',
          where: [['name', '==', step.iface]],
          row: { mtu_request: step.mtu },
        });
        break;
    }
  }
  // Only waits and no writes: nothing to do.
  return ops.some((o) => (o as { op: string }).op !== 'wait') ? ops : [];
}

function addPortOps(
  step: AddPortStep,
  snap: Snapshot,
  created: { bridges: Set<string>; ports: Set<string> },
  named: (prefix: string) => string,
): unknown[] {
  const ops: unknown[] = [];
  const exists = snap.ports.has(step.port) || created.ports.has(step.port);
  const where = [['name', '==', step.port]];
  if (!exists) {
    const [p, i] = [named('port'), named('iface')];
    const iface: Row = { name: step.port };
    if (step.type !== undefined) iface.type = step.type;
    if (step.externalIds) iface.external_ids = ovsMap(step.externalIds);
    if (step.options) iface.options = ovsMap(step.options);
    const port: Row = { name: step.port, interfaces: ['named-uuid', i] };
    if (step.tag !== undefined) port.tag = step.tag;
    ops.push({ op: 'insert', table: 'Interface', 'uuid-name': i, row: iface });
    ops.push({ op: 'insert', table: 'Port', 'uuid-name': p, row: port });
    ops.push({
      op: 'mutate',
      table: 'Bridge',
      where: [['name', '==', step.bridge]],
      mutations: [['ports', 'insert', ['set', [['named-uuid', p]]]]],
    });
    created.ports.add(step.port);
    return ops;
  }
  // The port exists (on any bridge): os-vif's add_port is a no-op, then the columns are set.
  if (step.tag !== undefined) ops.push({ op: 'update', table: 'Port', where, row: { tag: step.tag } });
  if (step.type !== undefined)
    ops.push({ op: 'update', table: 'Interface', where, row: { type: step.type } });
  for (const [column, map] of [
    ['external_ids', step.externalIds],
    ['options', step.options],
  ] as const) {
    if (!map || Object.keys(map).length === 0) continue;
    ops.push({
      op: 'mutate',
      table: 'Interface',
      where,
      mutations: [
        [column, 'delete', ['set', Object.keys(map)]],
        [column, 'insert', ovsMap(map)],
      ],
    });
  }
  return ops;
}

function setOf(value: unknown): unknown[] {
  if (Array.isArray(value) && value[0] === 'set') return value[1] as unknown[];
  return value === undefined ? [] : [value];
}

/** A failed `wait` (someone changed what we read) or a lost race on a unique name. */
function isConflict(error: unknown): boolean {
  const e = error as { error?: unknown; message?: unknown };
  const text = `${typeof e?.error === 'string' ? e.error : ''} ${typeof e?.message === 'string' ? e.message : ''}`;
  return /timed out|constraint violation/.test(text);
}
