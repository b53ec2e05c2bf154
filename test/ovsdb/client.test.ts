/**
 * Every RFC 7047 method and transaction operation against a real ovsdb-server, with ovs-vsctl
 * as the witness of what was written. Root tables (QoS, Queue, Open_vSwitch) are used for raw
 * inserts, because unreferenced Bridge/Port/Interface rows are garbage-collected.
 */
import test from 'ava';
import {
  Aborted,
  ConstraintViolation,
  type MonitorUpdate,
  NotOwner,
  namedUuid,
  OvsdbCancelledError,
  OvsdbClient,
  OvsdbConnectionError,
  OvsdbRpcError,
  OvsdbSchemaError,
  OvsdbTimeoutError,
  ReferentialIntegrityViolation,
  SyntaxViolation,
  TimedOut,
  type Uuid,
  uuid,
} from '../../src/ovsdb/index.js';
import { rootSerial, sleep, useSandbox, vsctl, vsctlRows } from './_helpers.js';

const sandbox = useSandbox(test, { tcpPort: true });
const it = rootSerial(test);
const DB = 'Open_vSwitch';

let client: OvsdbClient;
test.serial.before(async () => {
  if (sandbox()) client = await OvsdbClient.connect(sandbox().dbRemote, { timeoutMs: 10_000 });
});
test.after.always(async () => {
  await client?.close();
});

it('list_dbs and get_schema', async (t) => {
  t.deepEqual((await client.listDbs()).sort(), ['Open_vSwitch', '_Server']);
  const schema = await client.getSchema(DB);
  t.is(schema.name, 'Open_vSwitch');
  t.true(schema.tables.has('Interface'));
  t.is(schema.column('Port', 'tag').type.key.maxInteger, 4095);
  const e = await t.throwsAsync(client.getSchema('NoSuchDb'), { instanceOf: OvsdbRpcError });
  t.is(e?.error, 'unknown database');
});

it('echo both ways over tcp, and the server probe is answered', async (t) => {
  const tcp = await OvsdbClient.connect(sandbox().tcpRemote!, { probeIntervalMs: 0 });
  try {
    t.deepEqual(await tcp.echo('hello', 42), ['hello', 42]);
    // the server probes an idle tcp connection every 5 s and drops it without an answer
    await sleep(6500);
    t.true(tcp.connected);
    t.is(tcp.generation, 1);
  } finally {
    await tcp.close();
  }
});

it('insert with named uuids, select, update, mutate, delete; ovs-vsctl sees each', async (t) => {
  const [q, qos] = await client.transact(DB, [
    { op: 'insert', table: 'Queue', row: { dscp: 10, other_config: { 'max-rate': '1000' } }, uuidName: 'q' },
    {
      op: 'insert',
      table: 'QoS',
      row: { type: 'linux-htb', queues: new Map([[0, namedUuid('q')]]) },
      uuidName: 'qos',
    },
    { op: 'comment', comment: 'os-vif test' },
  ]);
  const qid = q!.uuid!.id;
  const qosId = qos!.uuid!.id;
  t.is(vsctl(sandbox().dbRemote, 'get', 'Queue', qid, 'dscp'), '10');
  t.is(vsctl(sandbox().dbRemote, 'get', 'QoS', qosId, 'queues'), `{0=${qid}}`);
  t.is(vsctl(sandbox().dbRemote, 'get', 'Queue', qid, 'other_config:max-rate'), '"1000"');

  const [sel] = await client.transact(DB, [
    { op: 'select', table: 'QoS', where: [['_uuid', '==', uuid(qosId)]] },
  ]);
  const row = sel!.rows![0]!;
  t.is(row.type, 'linux-htb');
  t.true(row.queues instanceof Map);
  t.is(((row.queues as Map<number, Uuid>).get(0) as Uuid).id, qid);

  const [upd] = await client.transact(DB, [
    {
      op: 'update',
      table: 'QoS',
      where: [['_uuid', '==', uuid(qosId)]],
      row: { type: 'linux-hfsc', external_ids: { a: '1' } },
    },
  ]);
  t.is(upd!.count, 1);
  t.is(vsctl(sandbox().dbRemote, 'get', 'QoS', qosId, 'type'), 'linux-hfsc');

  await client.transact(DB, [
    {
      op: 'mutate',
      table: 'QoS',
      where: [['_uuid', '==', uuid(qosId)]],
      mutations: [
        ['external_ids', 'insert', { b: '2' }],
        ['external_ids', 'delete', ['a']],
      ],
    },
    { op: 'mutate', table: 'Queue', where: [['_uuid', '==', uuid(qid)]], mutations: [['dscp', '+=', 5]] },
  ]);
  t.is(vsctl(sandbox().dbRemote, 'get', 'QoS', qosId, 'external_ids'), '{b="2"}');
  t.is(vsctl(sandbox().dbRemote, 'get', 'Queue', qid, 'dscp'), '15');

  // single-element set shorthand both ways: dscp is an optional integer
  const [s2] = await client.transact(DB, [
    { op: 'select', table: 'Queue', where: [['dscp', '==', [15]]], columns: ['dscp'] },
  ]);
  t.deepEqual(s2!.rows, [{ dscp: 15 }]);
  await client.transact(DB, [
    { op: 'update', table: 'Queue', where: [['_uuid', '==', uuid(qid)]], row: { dscp: null } },
  ]);
  t.is(vsctl(sandbox().dbRemote, 'get', 'Queue', qid, 'dscp'), '[]');

  const [del] = await client.transact(DB, [
    { op: 'delete', table: 'QoS', where: [['_uuid', '==', uuid(qosId)]] },
  ]);
  t.is(del!.count, 1);
  t.is(vsctlRows(sandbox().dbRemote, '--columns=_uuid', 'list', 'QoS').length, 0);
});

it('wait, commit, abort, assert and their typed errors', async (t) => {
  const [ins] = await client.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'w1' } }]);
  const id = ins!.uuid!;
  const ok = await client.transact(DB, [
    {
      op: 'wait',
      table: 'QoS',
      where: [['_uuid', '==', id]],
      columns: ['type'],
      until: '==',
      rows: [{ type: 'w1' }],
      timeout: 0,
    },
    { op: 'commit', durable: false },
  ]);
  t.is(ok.length, 2);
  const e1 = await t.throwsAsync(
    client.transact(DB, [
      {
        op: 'wait',
        table: 'QoS',
        where: [['_uuid', '==', id]],
        columns: ['type'],
        until: '==',
        rows: [{ type: 'other' }],
        timeout: 0,
      },
      { op: 'insert', table: 'QoS', row: { type: 'never' } },
    ]),
    { instanceOf: TimedOut },
  );
  t.is(e1?.index, 0);
  t.is(vsctl(sandbox().dbRemote, '--bare', '--columns=type', 'find', 'QoS', 'type=never'), '');
  const e2 = await t.throwsAsync(
    client.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'aborted' } }, { op: 'abort' }]),
    { instanceOf: Aborted },
  );
  t.is(e2?.index, 1);
  const e3 = await t.throwsAsync(client.transact(DB, [{ op: 'assert', lock: 'nobody_holds_this' }]), {
    instanceOf: NotOwner,
  });
  t.is(e3?.index, 0);
  await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', id]] }]);
});

it('server-side errors map to classes: constraint and referential integrity', async (t) => {
  // two Open_vSwitch rows: maxRows is 1 -> constraint violation, reported after the ops
  const e1 = await t.throwsAsync(client.transact(DB, [{ op: 'insert', table: 'Open_vSwitch', row: {} }]), {
    instanceOf: ConstraintViolation,
  });
  t.is(e1?.index, 1);
  // Queue referenced by QoS: deleting it breaks a strong reference
  const [q] = await client.transact(DB, [
    { op: 'insert', table: 'Queue', row: {}, uuidName: 'q' },
    { op: 'insert', table: 'QoS', row: { type: 'ri', queues: new Map([[1, namedUuid('q')]]) } },
  ]);
  const e2 = await t.throwsAsync(
    client.transact(DB, [{ op: 'delete', table: 'Queue', where: [['_uuid', '==', q!.uuid!]] }]),
    {
      instanceOf: ReferentialIntegrityViolation,
    },
  );
  t.is(e2?.error, 'referential integrity violation');
  // without client validation the server's own syntax errors come back typed too
  const e3 = await t.throwsAsync(
    client.transact(DB, [{ op: 'insert', table: 'QoS', row: { typo: 1 } }], { validate: false }),
    {
      instanceOf: SyntaxViolation,
    },
  );
  t.is(e3?.error, 'unknown column');
  await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [['type', '==', 'ri']] }]);
});

it('the schema rejects bad operations before sending, naming table, column and value', async (t) => {
  const bad = async (ops: Parameters<OvsdbClient['transact']>[1], table: string, column?: string) => {
    const e = await t.throwsAsync(client.transact(DB, ops), { instanceOf: OvsdbSchemaError });
    t.is(e?.table, table);
    t.is(e?.column, column);
    return e!;
  };
  await bad([{ op: 'insert', table: 'Nope', row: {} }], 'Nope');
  await bad([{ op: 'insert', table: 'QoS', row: { typo: 'x' } }], 'QoS', 'typo');
  const e = await bad([{ op: 'insert', table: 'Queue', row: { dscp: 64 } }], 'Queue', 'dscp');
  t.is(e.value, 64);
  t.regex(e.message, /Queue\.dscp: above the maximum 63: 64/);
  await bad([{ op: 'insert', table: 'Queue', row: { dscp: 'x' } }], 'Queue', 'dscp');
  await bad(
    [{ op: 'update', table: 'Bridge', where: [], row: { fail_mode: 'bogus' } }],
    'Bridge',
    'fail_mode',
  );
  await bad([{ op: 'insert', table: 'QoS', row: { queues: new Map([[0, 'not-a-uuid']]) } }], 'QoS', 'queues');
  await bad(
    [{ op: 'insert', table: 'QoS', row: { queues: new Map([[0, namedUuid('undeclared')]]) } }],
    'QoS',
    'queues',
  );
  await bad([{ op: 'select', table: 'Port', where: [['tag', '<', 'x']] }], 'Port', 'tag');
  await bad([{ op: 'mutate', table: 'Port', where: [], mutations: [['name', '+=', 1]] }], 'Port', 'name');
  t.is(vsctlRows(sandbox().dbRemote, '--columns=_uuid', 'list', 'QoS').length, 0);
});

it('per-request timeout and cancellation (cancel is sent for transact)', async (t) => {
  const [ins] = await client.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'slow' } }]);
  const waitOp = {
    op: 'wait' as const,
    table: 'QoS',
    where: [['_uuid', '==', ins!.uuid!] as ['_uuid', '==', Uuid]],
    columns: ['type'],
    until: '!=' as const,
    rows: [{ type: 'slow' }],
    timeout: 60_000,
  };
  await t.throwsAsync(client.transact(DB, [waitOp], { timeoutMs: 200 }), { instanceOf: OvsdbTimeoutError });
  const ac = new AbortController();
  const p = client.transact(DB, [waitOp], { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await t.throwsAsync(p, { instanceOf: OvsdbCancelledError });
  // the connection still works
  t.deepEqual(await client.echo(1), [1]);
  await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [['type', '==', 'slow']] }]);
});

it('monitor, monitor_cond, monitor_cond_since, monitor_cond_change, monitor_cancel', async (t) => {
  const seen: MonitorUpdate[] = [];
  const initial = await client.monitor(DB, 'm1', { QoS: { columns: ['type'] } }, (u) => seen.push(u));
  t.deepEqual(initial.tables, {});
  const cond: MonitorUpdate[] = [];
  await client.monitorCond(DB, 'm2', { QoS: [{ columns: ['type'], where: [['type', '==', 'a']] }] }, (u) =>
    cond.push(u),
  );
  const since: MonitorUpdate[] = [];
  const s = await client.monitorCondSince(DB, 'm3', { QoS: [{ columns: ['type'] }] }, undefined, (u) =>
    since.push(u),
  );
  t.false(s.found);
  await client.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'a' } }]);
  await client.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'b' } }]);
  await client.echo();
  await sleep(50);
  t.is(seen.length, 2);
  t.is(seen[0]!.version, 1);
  t.is((Object.values(seen[0]!.tables.QoS!)[0]!.new as { type: string }).type, 'a');
  t.is(cond.length, 1, 'monitor_cond filters by condition');
  t.deepEqual(Object.values(cond[0]!.tables.QoS!)[0], { insert: { type: 'a' } });
  t.is(since.length, 2);
  t.is(since[0]!.version, 3);
  t.is(typeof since[0]!.lastTxnId, 'string');
  await client.monitorCondChange('m2', { QoS: [{ where: [['type', '==', 'b']] }] });
  await client.echo();
  await sleep(50);
  t.true(cond.length >= 2, 'the changed condition brings the b row in');
  await client.monitorCancel('m1');
  await client.monitorCancel('m2');
  await client.monitorCancel('m3');
  await client.transact(DB, [{ op: 'delete', table: 'QoS', where: [] }]);
  await client.echo();
  t.is(seen.length, 2, 'no update after monitor_cancel');
  await t.throwsAsync(client.monitorCancel('m1'), { instanceOf: OvsdbRpcError });
});

it('lock, steal, unlock with locked and stolen notifications', async (t) => {
  const other = await OvsdbClient.connect(sandbox().dbRemote);
  const third = await OvsdbClient.connect(sandbox().dbRemote);
  try {
    t.true(await client.lock('L'));
    const granted = new Promise<string>((r) => other.once('locked', r));
    t.false(await other.lock('L'), 'queued behind the owner');
    await t.throwsAsync(other.transact(DB, [{ op: 'assert', lock: 'L' }]), { instanceOf: NotOwner });
    await client.unlock('L');
    t.is(await granted, 'L', 'locked notification once the owner lets go');
    await other.transact(DB, [{ op: 'assert', lock: 'L' }]);
    const stolen = new Promise<string>((r) => other.once('stolen', r));
    t.true(await third.steal('L'));
    t.is(await stolen, 'L');
    await t.throwsAsync(other.transact(DB, [{ op: 'assert', lock: 'L' }]), { instanceOf: NotOwner });
    await third.transact(DB, [{ op: 'assert', lock: 'L' }]);
    await third.unlock('L');
  } finally {
    await other.close();
    await third.close();
  }
});

it('set_db_change_aware and connection errors are their own kind', async (t) => {
  await client.setDbChangeAware(true);
  t.deepEqual(await client.echo('x'), ['x']);
  const e = await t.throwsAsync(
    OvsdbClient.connect(`unix:${sandbox().dir}/nothing.sock`, { connectTimeoutMs: 300 }),
    {
      instanceOf: OvsdbConnectionError,
    },
  );
  t.is(e?.kind, 'refused');
  const closed = await OvsdbClient.connect(sandbox().dbRemote, { reconnect: false });
  await closed.close();
  const e2 = await t.throwsAsync(closed.listDbs(), { instanceOf: OvsdbConnectionError });
  t.is(e2?.kind, 'closed');
});
