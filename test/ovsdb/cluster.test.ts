/**
 * A 3-member clustered database on loopback: the client sits on the leader, keeps writing when
 * the leader is killed (through the new leader, resuming its monitor with monitor_cond_since),
 * and the old member rejoins with all the data.
 */
import test from 'ava';
import { OvsdbClient, VSwitch } from '../../src/ovsdb/index.js';
import { sh } from '../harness/netns.js';
import { OvsCluster } from '../harness/ovs-cluster.js';
import { isRoot, rootSerial, sleep } from './_helpers.js';

const it = rootSerial(test);
let cluster: OvsCluster | undefined;

test.serial.before(async () => {
  if (isRoot) cluster = await OvsCluster.start();
});
test.after.always(async () => {
  await cluster?.stop();
});

/** Port names in member i's copy of the database (ovsdb-client reads from followers too). */
function portNames(remote: string): string[] {
  const out = sh('ovsdb-client', ['--format=json', 'dump', remote, 'Open_vSwitch', 'Port', 'name']);
  const table = JSON.parse(out) as { data: string[][] };
  return table.data.map((r) => r[0]!).sort();
}

it('writes follow the leader, survive its death, and the old member rejoins', async (t) => {
  const c = cluster!;
  const client = await OvsdbClient.connect(c.remotes, {
    backoffMinMs: 20,
    backoffMaxMs: 300,
    timeoutMs: 20_000,
  });
  try {
    const leader = await c.leader();
    t.is(client.remote, c.remote(leader), 'connected to the leader');
    const vs = await VSwitch.open(client);
    await vs.initialize();
    await vs.ensureBridge('br-cl', { datapathType: 'netdev' });
    const N = 30;
    const done: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      done.push(vs.addPort('br-cl', `cl${i}`));
      if (i === 10) await c.kill(leader);
      await sleep(20);
    }
    const results = await Promise.allSettled(done);
    t.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
      'every write went through',
    );
    const newLeader = await c.leader();
    t.not(newLeader, leader);
    t.is(client.remote, c.remote(newLeader), 'moved to the new leader');
    t.is(vs.replica.lastSyncMode, 'since', 'resumed with monitor_cond_since from the last txn id');
    const want = ['br-cl', ...Array.from({ length: N }, (_, i) => `cl${i}`)].sort();
    t.deepEqual(portNames(c.unix(newLeader)), want);
    t.deepEqual(vs.listPorts('br-cl'), want);

    c.startMember(leader);
    await c.waitUntil(
      () => /^Role: follower$/m.test(c.status(leader)),
      10_000,
      'old leader back as follower',
    );
    await c.waitUntil(() => portNames(c.unix(leader)).length === want.length, 10_000, 'old member caught up');
    t.deepEqual(portNames(c.unix(leader)), want);
    // and writes still work afterwards
    await vs.addPort('br-cl', 'after');
    t.true(vs.listPorts('br-cl').includes('after'));
  } finally {
    await client.close();
  }
});

it('a single follower remote is refused for writes; the list finds the leader', async (t) => {
  const c = cluster!;
  const leader = await c.leader();
  const follower = c.members().find((i) => i !== leader && /^Role: follower$/m.test(c.status(i)))!;
  const only = OvsdbClient.connect(c.remote(follower), {
    leaderOnly: true,
    connectTimeoutMs: 500,
    backoffMinMs: 50,
  });
  const e = await t.throwsAsync(only);
  t.regex(String(e?.message), /leader/);
  const list = await OvsdbClient.connect(`${c.remote(follower)},${c.remote(leader)}`);
  t.is(list.remote, c.remote(leader));
  await list.close();
});
