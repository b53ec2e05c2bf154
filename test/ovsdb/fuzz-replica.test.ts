/**
 * The real client and replica fed random monitor updates by a scripted JSON-RPC server on a
 * unix socket (no root, no ovsdb-server: a real server never sends malformed updates, this one
 * does). Properties: nothing escapes as an uncaught exception; an update that breaks RFC 7047
 * closes the session as a protocol error and the client reconnects and resyncs; every row the
 * replica holds has only values of its column's kind. OS_VIF_FUZZ=1 runs many more cases.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { JsonFramer } from '../../src/ovsdb/framing.js';
import { OvsdbClient, Replica, Uuid } from '../../src/ovsdb/index.js';
import { columnKind } from '../../src/ovsdb/schema.js';
import { fuzzParams } from '../harness/fuzz.js';

const SCHEMA = JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')) as {
  tables: Record<string, { columns: Record<string, unknown> }>;
};
const TABLES = ['Interface', 'Port'];
const dir = mkdtempSync(path.join(tmpdir(), `ovtrfuzz${process.pid}`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A server that answers what the client asks during setup and lets the test push notifications. */
class ScriptedServer {
  readonly path = path.join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  private readonly server: Server;
  readonly conns: { socket: Socket; monitorId?: string }[] = [];
  private waiters: (() => void)[] = [];

  constructor() {
    this.server = createServer((socket) => {
      const conn: { socket: Socket; monitorId?: string } = { socket };
      this.conns.push(conn);
      const framer = new JsonFramer();
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        let msgs: unknown[];
        try {
          msgs = framer.push(chunk);
        } catch {
          socket.destroy();
          return;
        }
        for (const m of msgs as { id: unknown; method: string; params: unknown[] }[]) {
          if (m.id === null || m.id === undefined) continue;
          const reply = (result: unknown, error: unknown = null) =>
            socket.write(JSON.stringify({ id: m.id, result, error }));
          switch (m.method) {
            case 'get_schema':
              reply(SCHEMA);
              break;
            case 'monitor_cond_since':
              conn.monitorId = String(m.params[1]);
              reply([false, '00000000-0000-0000-0000-00000000000a', {}]);
              for (const w of this.waiters.splice(0)) w();
              break;
            case 'echo':
              reply(m.params);
              break;
            case 'set_db_change_aware':
            case 'monitor_cancel':
              reply({});
              break;
            default:
              reply(null, { error: 'unknown method' });
          }
        }
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  /** The newest connection, once its monitor is set up. */
  async monitored(): Promise<{ socket: Socket; monitorId: string }> {
    for (;;) {
      const c = this.conns[this.conns.length - 1];
      if (c?.monitorId && !c.socket.destroyed) return c as { socket: Socket; monitorId: string };
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const U = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const atomArb = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 5000 }),
  fc.boolean(),
  fc.nat({ max: 9 }).map((n) => ['uuid', U(n)]),
);
const wireArb = fc.oneof(
  atomArb,
  fc.array(atomArb, { maxLength: 3 }).map((a) => ['set', a]),
  fc.array(fc.tuple(atomArb, atomArb), { maxLength: 3 }).map((p) => ['map', p]),
  fc.jsonValue({ maxDepth: 2 }),
);
const columnArb = (table: string) => fc.constantFrom(...Object.keys(SCHEMA.tables[table]!.columns));
const rowArb = (table: string) => fc.dictionary(columnArb(table), wireArb, { maxKeys: 4 });
const rowUpdateArb = (table: string) =>
  fc.oneof(
    fc.record({ insert: rowArb(table) }),
    fc.record({ initial: rowArb(table) }),
    fc.record({ modify: rowArb(table) }),
    fc.constant({ delete: null }),
    fc.jsonValue({ maxDepth: 1 }),
  );
const tableUpdateArb = fc.oneof(
  fc
    .constantFrom(...TABLES)
    .chain((table) =>
      fc
        .dictionary(fc.nat({ max: 4 }).map(U), rowUpdateArb(table), { maxKeys: 3 })
        .map((rows) => ({ [table]: rows })),
    ),
  fc.jsonValue({ maxDepth: 2 }),
);
const notificationArb = fc.tuple(
  fc.constantFrom('update2', 'update3', 'update'),
  tableUpdateArb,
  fc.boolean(),
);

function checkRow(replica: Replica, table: string, row: Record<string, unknown>): void {
  for (const [c, v] of Object.entries(row)) {
    if (c === '_uuid') {
      if (!(v instanceof Uuid)) throw new Error(`${table}._uuid is ${String(v)}`);
      continue;
    }
    const kind = columnKind(replica.schema.column(table, c).type);
    const ok =
      kind === 'map'
        ? v instanceof Map
        : kind === 'set'
          ? Array.isArray(v)
          : kind === 'optional'
            ? !Array.isArray(v) && !(v instanceof Map)
            : v !== null && !Array.isArray(v) && !(v instanceof Map);
    if (!ok) throw new Error(`${table}.${c} (${kind}) holds ${JSON.stringify(v)}`);
    const type = replica.schema.column(table, c).type;
    const atoms = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : v === null ? [] : [v];
    const want = (type.value ?? type.key).type;
    for (const a of atoms) {
      const fits =
        want === 'uuid'
          ? a instanceof Uuid
          : want === 'real'
            ? typeof a === 'number'
            : want === 'integer'
              ? Number.isInteger(a)
              : typeof a === want;
      if (!fits) throw new Error(`${table}.${c} (${want}) holds the atom ${JSON.stringify(a)}`);
    }
  }
}

test.serial(
  'a replica fed random monitor updates stays well-formed and resyncs after a malformed one',
  async (t) => {
    const server = new ScriptedServer();
    await server.listen();
    const client = await OvsdbClient.connect(`unix:${server.path}`, {
      backoffMinMs: 5,
      backoffMaxMs: 20,
      probeIntervalMs: 0,
      timeoutMs: 5000,
    });
    const replica = await Replica.open(client, 'Open_vSwitch', {
      tables: Object.fromEntries(TABLES.map((x) => [x, true as const])),
    });
    let protocolCloses = 0;
    client.on('disconnected', (e: { kind?: string }) => {
      if (e.kind === 'protocol') protocolCloses++;
    });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(notificationArb, { minLength: 1, maxLength: 4 }), async (notes) => {
          const conn = await server.monitored();
          for (const [method, tables, withTxn] of notes) {
            const params =
              method === 'update3'
                ? [conn.monitorId, withTxn ? U(99) : 7, tables]
                : [withTxn ? conn.monitorId : 'other', tables];
            conn.socket.write(JSON.stringify({ id: null, method, params }));
          }
          // a round trip: everything written before the echo reply has been handled
          await client.echo().catch(() => undefined);
          try {
            await replica.synced(5000);
            for (const table of TABLES) for (const row of replica.rows(table)) checkRow(replica, table, row);
          } catch (e) {
            t.log(`after ${JSON.stringify(notes)}: ${String(e)}`);
            throw e;
          }
        }),
        fuzzParams(150),
      );
    } finally {
      await replica.close();
      await client.close();
      await server.close();
    }
    t.log(`${protocolCloses} sessions closed as protocol errors, then resynced`);
    t.true(protocolCloses > 0, 'some updates were malformed (the generator reaches the protocol path)');
  },
);
