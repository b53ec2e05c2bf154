/**
 * The prerequisites VSwitch sends, against a real private ovsdb-server, with a second client
 * (ovs-vsctl) writing between a verb's read of the replica and its commit. A write that leaves
 * out a column the replica shows as already right (mtu_request) must still guard it: the
 * commit fails its `wait`, the verb runs again on the refreshed replica and the value ends as
 * asked, not as the other client left it (a lost update otherwise). Each lookup of a batch has
 * a prerequisite of its own: two rows, or two names, never share one.
 */
import test from 'ava';
import type { OvsdbClient as Client, Operation, VSwitch as VS } from '../../src/ovsdb/index.js';
import { OvsdbClient, VSwitch } from '../../src/ovsdb/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { isRoot, rootSerial, vsctl } from './_helpers.js';

const it = rootSerial(test);
let sb: OvsSandbox;
let client: Client;
let vs: VS;

test.serial.before(async () => {
  if (!isRoot) return;
  sb = await OvsSandbox.start();
  client = await OvsdbClient.connect(sb.dbRemote);
  vs = await VSwitch.open(client);
  await vs.ensureBridge('br-lu', { datapathType: 'netdev' });
});
test.after.always(async () => {
  await vs?.close();
  await client?.close();
  await sb?.stop();
});

/**
 * Records every transaction the client sends; before the first one that writes `table`, runs
 * `meanwhile` (another client's commit, synchronously: it lands before ours reaches the server).
 */
function interpose(table: string, meanwhile: () => void): { sent: Operation[][]; restore: () => void } {
  const real = client.transact.bind(client);
  const sent: Operation[][] = [];
  let done = false;
  client.transact = (async (db, ops, options) => {
    sent.push([...ops]);
    if (!done && ops.some((o) => o.op !== 'wait' && 'table' in o && o.table === table)) {
      done = true;
      meanwhile();
    }
    return real(db, ops, options);
  }) as Client['transact'];
  return { sent, restore: () => (client.transact = real) };
}

const waits = (ops: Operation[]) =>
  ops.filter((o) => o.op === 'wait') as Extract<Operation, { op: 'wait' }>[];
const get = (table: string, rec: string, col: string) => vsctl(sb.dbRemote, 'get', table, rec, col);

it('mtu_request changed by another client while a verb leaves it out as unchanged: the commit fails its prerequisite and the retry restores it', async (t) => {
  await vs.addPort('br-lu', 'lu0', { externalIds: { owner: 'a' }, mtuRequest: 1450 });
  const spy = interpose('Interface', () => vsctl(sb.dbRemote, 'set', 'Interface', 'lu0', 'mtu_request=9000'));
  try {
    // the replica shows mtu_request=1450 already: the update writes only external_ids
    await vs.addPort('br-lu', 'lu0', { externalIds: { owner: 'b' }, mtuRequest: 1450 });
  } finally {
    spy.restore();
  }
  t.is(get('Interface', 'lu0', 'mtu_request'), '1450', 'the other client’s 9000 did not win silently');
  t.is(get('Interface', 'lu0', 'external_ids:owner'), 'b');
  t.is(spy.sent.length, 2, 'the first commit failed its prerequisite and the verb ran again');
  const first = spy.sent[0]!;
  t.false(
    first.some((o) => o.op === 'update' && o.table === 'Interface' && 'mtu_request' in o.row),
    'mtu_request was left out of the first write',
  );
  t.truthy(
    waits(first).find(
      (w) => w.table === 'Interface' && w.columns.includes('mtu_request') && w.rows[0]?.mtu_request === 1450,
    ),
    'the first commit waited on mtu_request == 1450',
  );
  const retry = spy.sent[1]!.find((o) => o.op === 'update' && o.table === 'Interface') as
    | { row: Record<string, unknown> }
    | undefined;
  t.is(retry?.row.mtu_request, 1450, 'the retry writes mtu_request back');
});

it('two rows written by one batch have a prerequisite each: another client’s change to the second is not lost', async (t) => {
  await vs.batch((b) => {
    b.addPort('br-lu', 'lu1', { externalIds: { owner: 'a' }, mtuRequest: 1450 });
    b.addPort('br-lu', 'lu2', { externalIds: { owner: 'a' }, mtuRequest: 1450 });
  });
  const spy = interpose('Interface', () => vsctl(sb.dbRemote, 'set', 'Interface', 'lu2', 'mtu_request=9000'));
  try {
    await vs.batch((b) => {
      b.setInterface('lu1', { externalIds: { owner: 'b' }, mtuRequest: 1450 });
      b.setInterface('lu2', { externalIds: { owner: 'b' }, mtuRequest: 1450 });
    });
  } finally {
    spy.restore();
  }
  t.is(get('Interface', 'lu2', 'mtu_request'), '1450');
  t.is(get('Interface', 'lu1', 'mtu_request'), '1450');
  t.is(spy.sent.length, 2);
  const uuids = (name: string) => vsctl(sb.dbRemote, 'get', 'Interface', name, '_uuid');
  const verified = waits(spy.sent[0]!)
    .filter((w) => w.table === 'Interface' && w.columns.includes('mtu_request'))
    .map((w) => String((w.where[0] as unknown[])[2]));
  t.deepEqual(verified.sort(), [uuids('lu1'), uuids('lu2')].sort(), 'one verify per row written');
});

it('a port another client adds between the read and the commit is taken as existing, not inserted twice', async (t) => {
  const spy = interpose('Port', () =>
    vsctl(sb.dbRemote, 'add-port', 'br-lu', 'lu4', '--', 'set', 'Interface', 'lu4', 'mtu_request=9000'),
  );
  let outcome: Awaited<ReturnType<VS['batch']>>;
  try {
    outcome = await vs.batch((b) => {
      b.addPort('br-lu', 'lu3', { mtuRequest: 1450 });
      b.addPort('br-lu', 'lu4', { mtuRequest: 1450 });
    });
  } finally {
    spy.restore();
  }
  t.deepEqual(outcome.createdPorts, ['lu3'], 'lu4 existed by the time the batch committed');
  t.is(get('Interface', 'lu4', 'mtu_request'), '1450', 'and got the settings of an existing port');
  const lookups = waits(spy.sent[0]!)
    .filter((w) => w.table === 'Port' && (w.where[0] as unknown[])[0] === 'name')
    .map((w) => (w.where[0] as unknown[])[2]);
  t.deepEqual(lookups.sort(), ['lu3', 'lu4'], 'each name looked up has its own prerequisite');
  t.is(vsctl(sb.dbRemote, '--bare', '--columns=name', 'find', 'Port', 'name=lu4'), 'lu4');
});
