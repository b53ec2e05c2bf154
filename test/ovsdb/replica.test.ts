/**
 * The replica against a real server: indexes and change events, optimistic read-modify-write
 * from two clients without lost updates, bounded retries, and a resync after the server was
 * restarted on a database changed behind its back (only the differences are reported).
 */

import { once } from 'node:events';
import test from 'ava';
import fc from 'fast-check';
import {
  OvsdbClient,
  OvsdbConflictError,
  OvsdbConnectionError,
  Replica,
  type RowChange,
  runTransaction,
  type Uuid,
  valuesEqual,
} from '../../src/ovsdb/index.js';
import { sh } from '../harness/netns.js';
import { rootSerial, sleep, useSandbox, vsctl } from './_helpers.js';

const sandbox = useSandbox(test);
const it = rootSerial(test);
const DB = 'Open_vSwitch';

it('indexes and change events follow the server', async (t) => {
  const client = await OvsdbClient.connect(sandbox().dbRemote);
  try {
    const r = await Replica.open(client, DB, {
      tables: { QoS: true },
      indexes: { QoS: ['type', 'external_ids:owner'] },
    });
    const events: RowChange[] = [];
    r.on('change', (c: RowChange) => events.push(c));
    const id = vsctl(sandbox().dbRemote, 'create', 'QoS', 'type=linux-htb', 'external_ids:owner=alice');
    await r.waitFor(() => r.count('QoS') === 1, 5000);
    t.is(r.findOne('QoS', 'type', 'linux-htb')?._uuid?.toString(), id);
    t.is(r.find('QoS', 'external_ids:owner', 'alice').length, 1);
    vsctl(sandbox().dbRemote, 'set', 'QoS', id, 'type=linux-hfsc', 'external_ids:owner=bob');
    await r.waitFor(() => r.findOne('QoS', 'type', 'linux-hfsc') !== undefined, 5000);
    t.deepEqual(r.find('QoS', 'type', 'linux-htb'), []);
    t.deepEqual(r.find('QoS', 'external_ids:owner', 'alice'), []);
    t.is(r.find('QoS', 'external_ids:owner', 'bob').length, 1);
    // optional (0..1) columns: update2 carries the new value, not a difference
    const q = vsctl(sandbox().dbRemote, 'create', 'Queue', 'dscp=5');
    const rq = await Replica.open(client, DB, { tables: { Queue: ['dscp'] } });
    for (const v of ['6', '[]', '7']) {
      vsctl(sandbox().dbRemote, 'set', 'Queue', q, `dscp=${v}`);
      await client.echo();
      await rq.waitFor(() => rq.get('Queue', q)?.dscp === (v === '[]' ? null : Number(v)), 5000, `dscp ${v}`);
    }
    t.is(rq.get('Queue', q)?.dscp, 7);
    await rq.close();
    vsctl(sandbox().dbRemote, 'destroy', 'Queue', q);
    vsctl(sandbox().dbRemote, 'destroy', 'QoS', id);
    await r.waitFor(() => r.count('QoS') === 0, 5000);
    t.deepEqual(
      events.map((e) => e.kind),
      ['insert', 'update', 'delete'],
    );
    t.is(events[1]!.old!.type, 'linux-htb');
    t.is(events[1]!.new!.type, 'linux-hfsc');
    await r.close();
  } finally {
    await client.close();
  }
});

it('property: after random updates of sets, maps and optionals the replica equals the server', async (t) => {
  const client = await OvsdbClient.connect(sandbox().dbRemote);
  try {
    const r = await Replica.open(client, DB, {
      tables: { Open_vSwitch: ['datapath_types', 'external_ids', 'next_cfg'] },
    });
    const root = r.rows('Open_vSwitch').next().value!._uuid as Uuid;
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const change = fc.record({
      types: fc.uniqueArray(key, { maxLength: 4 }),
      ids: fc.dictionary(key, fc.constantFrom('1', '2', 'x'), { maxKeys: 4 }),
      cfg: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 4 }), async (changes) => {
        for (const c of changes) {
          await client.transact(DB, [
            {
              op: 'update',
              table: 'Open_vSwitch',
              where: [['_uuid', '==', root]],
              row: { datapath_types: c.types, external_ids: c.ids, next_cfg: c.cfg },
            },
          ]);
        }
        await client.echo();
        const [sel] = await client.transact(DB, [
          {
            op: 'select',
            table: 'Open_vSwitch',
            where: [],
            columns: ['datapath_types', 'external_ids', 'next_cfg'],
          },
        ]);
        const server = sel!.rows![0]!;
        const mine = r.get('Open_vSwitch', root)!;
        return (
          valuesEqual(mine.datapath_types!, server.datapath_types!) &&
          valuesEqual(mine.external_ids!, server.external_ids!) &&
          mine.next_cfg === server.next_cfg
        );
      }),
      { numRuns: 25 },
    );
    t.pass();
    await r.close();
  } finally {
    await client.close();
  }
});

it('read-modify-write from two clients: reads become prerequisites, no update is lost', async (t) => {
  const a = await OvsdbClient.connect(sandbox().dbRemote);
  const b = await OvsdbClient.connect(sandbox().dbRemote);
  try {
    const [ins] = await a.transact(DB, [
      { op: 'insert', table: 'QoS', row: { type: 'counter', other_config: { n: '0' } } },
    ]);
    const id = ins!.uuid!;
    const ra = await Replica.open(a, DB, { tables: { QoS: true } });
    const rb = await Replica.open(b, DB, { tables: { QoS: true } });
    let attempts = 0;
    const increment = (r: Replica) =>
      runTransaction(r, (txn) => {
        const row = txn.get('QoS', id)!;
        txn.verify('QoS', row, ['other_config']);
        const n = Number((row.other_config as Map<string, string>).get('n'));
        txn.update('QoS', row._uuid as Uuid, { other_config: { n: String(n + 1) } });
      }).then((o) => {
        attempts += o.attempts;
      });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 15; i++) jobs.push(increment(ra), increment(rb));
    await Promise.all(jobs);
    t.is(vsctl(sandbox().dbRemote, 'get', 'QoS', id.id, 'other_config:n'), '"30"');
    t.true(attempts > 30, `conflicts were retried (${attempts} attempts for 30 increments)`);
    const e = await t.throwsAsync(
      runTransaction(
        ra,
        (txn) => {
          const row = ra.get('QoS', id)!;
          txn.verify('QoS', { ...row, other_config: new Map([['n', 'stale']]) }, ['other_config']);
          txn.update('QoS', id, { type: 'never' });
        },
        { attempts: 3 },
      ),
      { instanceOf: OvsdbConflictError },
    );
    t.is(e?.attempts, 3);
    t.is(vsctl(sandbox().dbRemote, 'get', 'QoS', id.id, 'type'), 'counter');
    await a.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', id]] }]);
  } finally {
    await a.close();
    await b.close();
  }
});

it('resync after a restart reports only what changed while away; synced() times out as a connection error, synced(0) waits', async (t) => {
  const sb = sandbox();
  const client = await OvsdbClient.connect(sb.dbRemote, { backoffMinMs: 20, backoffMaxMs: 100 });
  try {
    await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [] }]);
    const keep = vsctl(sb.dbRemote, 'create', 'QoS', 'type=keep');
    const change = vsctl(sb.dbRemote, 'create', 'QoS', 'type=change');
    const gone = vsctl(sb.dbRemote, 'create', 'QoS', 'type=gone');
    const r = await Replica.open(client, DB, { tables: { QoS: ['type'] } });
    t.is(r.count('QoS'), 3);
    const events: RowChange[] = [];
    r.on('change', (c: RowChange) => events.push(c));
    await sb.stopServer();
    if (client.connected) await once(client, 'disconnected');
    await t.throwsAsync(r.synced(200), { instanceOf: OvsdbConnectionError, message: /no connection/ });
    let waitedForever = false;
    const forever = r.synced(0).then(() => {
      waitedForever = true;
    });
    await sleep(300);
    t.false(waitedForever, 'synced(0) has no time limit');
    const uuidOp = (u: string) => [['_uuid', '==', ['uuid', u]]];
    sh('ovsdb-tool', [
      'transact',
      sb.file('conf.db'),
      JSON.stringify([
        DB,
        { op: 'update', table: 'QoS', where: uuidOp(change), row: { type: 'changed' } },
        { op: 'delete', table: 'QoS', where: uuidOp(gone) },
        { op: 'insert', table: 'QoS', row: { type: 'new' } },
      ]),
    ]);
    await sb.startServer();
    await sleep(50);
    await r.synced(10_000);
    await forever;
    t.is(r.lastSyncMode, 'full-since', 'a standalone server has no txn history: full dump, diffed');
    const summary = events.map((e) => `${e.kind}:${String((e.new ?? e.old)!.type)}`).sort();
    t.deepEqual(summary, ['delete:gone', 'insert:new', 'update:changed']);
    t.is(r.get('QoS', keep)?.type, 'keep');
    await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [] }]);
  } finally {
    await client.close();
  }
});
