/**
 * The Open_vSwitch verbs against real daemons: the same scenario run with VSwitch on one
 * sandbox and with the equivalent ovs-vsctl commands (as os-vif's vsctl backend runs them) on
 * another must leave identical Bridge/Port/Interface contents; batching is one transaction;
 * concurrent clients on one bridge both succeed; and with ovs-vswitchd the change is applied.
 */
import test from 'ava';
import { OvsdbClient, VSwitch, VSwitchError, type VSwitch as VSwitchT } from '../../src/ovsdb/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { sh } from '../harness/netns.js';
import { isRoot, rootSerial, tryVsctl, vsctl, vsctlRows } from './_helpers.js';

const it = rootSerial(test);
let ours: OvsSandbox;
let theirs: OvsSandbox;
let client: OvsdbClient;
let vs: VSwitchT;

test.serial.before(async () => {
  if (!isRoot) return;
  [ours, theirs] = await Promise.all([OvsSandbox.start(), OvsSandbox.start()]);
  client = await OvsdbClient.connect(ours.dbRemote);
  vs = await VSwitch.open(client);
});
test.after.always(async () => {
  await client?.close();
  await Promise.all([ours?.stop(), theirs?.stop()]);
});

type Cell = unknown;
/** The switch as ovs-vsctl reads it: bridges -> ports -> interfaces by name, uuids resolved. */
function dump(remote: string): unknown {
  const byUuid = (rows: Array<Record<string, Cell>>) =>
    new Map(rows.map((r) => [(r._uuid as [string, string])[1], r]));
  const ifaces = byUuid(vsctlRows(remote, 'list', 'Interface'));
  const ports = byUuid(vsctlRows(remote, 'list', 'Port'));
  const set = (v: Cell): string[] => {
    const x = v as [string, unknown];
    if (x[0] === 'set') return (x[1] as [string, string][]).map((u) => u[1]);
    return [(x as unknown as [string, string])[1]];
  };
  return vsctlRows(remote, 'list', 'Bridge')
    .map((b) => ({
      name: b.name,
      datapath_type: b.datapath_type,
      ports: set(b.ports)
        .map((pu) => {
          const p = ports.get(pu)!;
          return {
            name: p.name,
            tag: p.tag,
            external_ids: p.external_ids,
            interfaces: set(p.interfaces).map((iu) => {
              const i = ifaces.get(iu)!;
              return {
                name: i.name,
                type: i.type,
                options: i.options,
                external_ids: i.external_ids,
                mtu_request: i.mtu_request,
              };
            }),
          };
        })
        .sort((a, c) => String(a.name).localeCompare(String(c.name))),
    }))
    .sort((a, c) => String(a.name).localeCompare(String(c.name)));
}

const IDS = {
  'iface-id': 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
  'iface-status': 'active',
  'attached-mac': 'fa:16:3e:7c:2a:01',
  'vm-uuid': '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
};
const idArgs = Object.entries(IDS).map(([k, v]) => `external_ids:${k}=${v}`);

it('the verbs leave the same database as the equivalent ovs-vsctl commands', async (t) => {
  const steps: Array<[() => Promise<void>, string[]]> = [
    [
      () => vs.ensureBridge('br-int', { datapathType: 'netdev' }),
      ['--may-exist', 'add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'datapath_type=netdev'],
    ],
    [
      () => vs.ensureBridge('br-int', { datapathType: 'system' }),
      ['--may-exist', 'add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'datapath_type=system'],
    ],
    [
      () => vs.addPort('br-int', 'tapb679325f-ca', { externalIds: IDS }),
      [
        '--may-exist',
        'add-port',
        'br-int',
        'tapb679325f-ca',
        '--',
        'set',
        'Interface',
        'tapb679325f-ca',
        ...idArgs,
      ],
    ],
    [
      () =>
        vs.addPort('br-int', 'tapb679325f-ca', {
          tag: 4095,
          externalIds: { ...IDS, 'iface-status': 'down' },
        }),
      [
        '--may-exist',
        'add-port',
        'br-int',
        'tapb679325f-ca',
        '--',
        'set',
        'Port',
        'tapb679325f-ca',
        'tag=4095',
        '--',
        'set',
        'Interface',
        'tapb679325f-ca',
        'external_ids:iface-status=down',
      ],
    ],
    [
      () =>
        vs.addPort('br-int', 'vhu1', {
          type: 'dpdkvhostuserclient',
          options: { 'vhost-server-path': '/run/vhu1' },
          externalIds: IDS,
          mtuRequest: 1450,
        }),
      [
        '--may-exist',
        'add-port',
        'br-int',
        'vhu1',
        '--',
        'set',
        'Interface',
        'vhu1',
        ...idArgs,
        'type=dpdkvhostuserclient',
        'options:vhost-server-path=/run/vhu1',
        'mtu_request=1450',
      ],
    ],
    [
      () => vs.ensureBridge('pbb679325f-ca8', { datapathType: 'netdev' }),
      [
        '--may-exist',
        'add-br',
        'pbb679325f-ca8',
        '--',
        'set',
        'Bridge',
        'pbb679325f-ca8',
        'datapath_type=netdev',
      ],
    ],
    [
      () =>
        vs.addPatchPair({
          bridge: 'br-int',
          port: 'ibp1',
          peerBridge: 'pbb679325f-ca8',
          peerPort: 'pbp1',
          tag: 7,
          externalIds: IDS,
        }),
      [
        '--may-exist',
        'add-port',
        'br-int',
        'ibp1',
        '--',
        'set',
        'Port',
        'ibp1',
        'tag=7',
        '--',
        'set',
        'Interface',
        'ibp1',
        ...idArgs,
        'type=patch',
        'options:peer=pbp1',
        '--',
        '--may-exist',
        'add-port',
        'pbb679325f-ca8',
        'pbp1',
        '--',
        'set',
        'Interface',
        'pbp1',
        'type=patch',
        'options:peer=ibp1',
      ],
    ],
    [
      () => vs.setInterface('vhu1', { externalIds: { extra: 'x' }, mtuRequest: 9000 }),
      ['set', 'Interface', 'vhu1', 'external_ids:extra=x', 'mtu_request=9000'],
    ],
    [
      () => vs.delPort('tapb679325f-ca', { bridge: 'br-int' }),
      ['--if-exists', 'del-port', 'br-int', 'tapb679325f-ca'],
    ],
    [
      () => vs.delPort('tapb679325f-ca', { bridge: 'br-int' }),
      ['--if-exists', 'del-port', 'br-int', 'tapb679325f-ca'],
    ],
    [() => vs.delBridge('pbb679325f-ca8'), ['--if-exists', 'del-br', 'pbb679325f-ca8']],
    [() => vs.delBridge('pbb679325f-ca8'), ['--if-exists', 'del-br', 'pbb679325f-ca8']],
  ];
  for (const [ourStep, vsctlArgs] of steps) {
    await ourStep();
    vsctl(theirs.dbRemote, '--', ...vsctlArgs);
    t.deepEqual(dump(ours.dbRemote), dump(theirs.dbRemote), vsctlArgs.join(' '));
  }
  // the reads agree with ovs-vsctl too
  t.deepEqual(
    vs.listPorts('br-int'),
    vsctl(ours.dbRemote, 'list-ports', 'br-int').split('\n').concat('br-int').sort(),
  );
  t.is(
    vs
      .findInterfacesByIfaceId(IDS['iface-id'])
      .map((i) => i.name)
      .sort()
      .join(),
    'ibp1,vhu1',
  );
  t.is(vs.findPort('ibp1')?.bridge, 'br-int');
  t.deepEqual(
    vs
      .findPortsByIfaceId(IDS['iface-id'])
      .map((p) => p.name)
      .sort(),
    ['ibp1', 'vhu1'],
  );
  t.is(vs.findPort('ibp1')?.tag, 7);
  t.deepEqual(vs.findInterface('vhu1')?.options, { 'vhost-server-path': '/run/vhu1' });
  t.is(vs.portBridge('nope'), undefined);
});

it('repeating a plug with the same settings commits nothing', async (t) => {
  const opts = {
    type: 'dpdkvhostuserclient',
    options: { 'vhost-server-path': '/run/vhu1' },
    externalIds: IDS,
    mtuRequest: 9000,
  };
  let transactions = 0;
  const orig = client.transact.bind(client);
  client.transact = (...args: Parameters<typeof orig>) => {
    transactions++;
    return orig(...args);
  };
  try {
    await vs.ensureBridge('br-int', { datapathType: 'system' });
    await vs.addPort('br-int', 'vhu1', opts);
    await vs.addPort('br-int', 'vhu1', { externalIds: { 'iface-status': 'active' } });
    t.is(transactions, 0);
    await vs.addPort('br-int', 'vhu1', { ...opts, mtuRequest: 1500 });
    t.is(transactions, 1);
    t.is(vsctl(ours.dbRemote, 'get', 'Interface', 'vhu1', 'mtu_request'), '1500');
    // two writes of one row in one batch: the later one wins even though it matches the replica
    await vs.batch((b) => {
      b.setInterface('vhu1', { mtuRequest: 1400 });
      b.setInterface('vhu1', { mtuRequest: 1500 });
    });
    t.is(vsctl(ours.dbRemote, 'get', 'Interface', 'vhu1', 'mtu_request'), '1500');
  } finally {
    client.transact = orig;
  }
});

it('errors leave the database unchanged', async (t) => {
  const before = dump(ours.dbRemote);
  const e1 = await t.throwsAsync(vs.addPort('no-such-br', 'p1'), { instanceOf: VSwitchError });
  t.is(e1?.code, 'bridge-not-found');
  const e2 = await t.throwsAsync(vs.delPort('vhu1', { bridge: 'other' }), { instanceOf: VSwitchError });
  t.is(e2?.code, 'port-on-other-bridge');
  await t.throwsAsync(
    vs.batch((b) => {
      b.addPort('br-int', 'x1');
      b.addPort('no-such-br', 'x2');
    }),
    { instanceOf: VSwitchError },
  );
  t.deepEqual(dump(ours.dbRemote), before);
  t.is(vsctl(ours.dbRemote, 'port-to-br', 'vhu1'), 'br-int');
});

it('concurrent calls share transactions, but a failing call fails alone', async (t) => {
  await vs.ensureBridge('br-g', { datapathType: 'netdev' });
  const calls = [
    vs.addPort('br-g', 'g0'),
    vs.addPort('br-g', 'g1', { tag: 1 }),
    vs.addPort('no-such-bridge', 'g2'),
    vs.addPort('br-g', 'g3', { externalIds: { 'iface-id': 'g3' } }),
    vs.setPort('g0', { tag: 9 }),
  ];
  const r = await Promise.allSettled(calls);
  t.deepEqual(
    r.map((x) => x.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
  t.is(((r[2] as PromiseRejectedResult).reason as VSwitchError).code, 'bridge-not-found');
  t.is(vsctl(ours.dbRemote, 'list-ports', 'br-g'), 'g0\ng1\ng3');
  t.is(vsctl(ours.dbRemote, 'get', 'Port', 'g0', 'tag'), '9');
});

it("os-vif's add_port(may_exist) and del_port(port, bridge, if_exists=True): any bridge, and only from that bridge", async (t) => {
  vsctl(ours.dbRemote, 'add-br', 'br-d1', '--', 'add-br', 'br-d2', '--', 'add-port', 'br-d1', 'dp1');
  vsctl(ours.dbRemote, 'add-port', 'br-d2', 'dp2');
  await vs.sync();
  // add_port(may_exist) of a port on ANY bridge only sets its columns (ovs-vsctl would refuse)
  t.not(tryVsctl(ours.dbRemote, '--may-exist', 'add-port', 'br-d2', 'dp1').status, 0);
  await vs.addPort('br-d2', 'dp1', { externalIds: { 'iface-id': 'x' } });
  t.is(vsctl(ours.dbRemote, 'port-to-br', 'dp1'), 'br-d1');
  t.is(vsctl(ours.dbRemote, 'get', 'Interface', 'dp1', 'external_ids:iface-id'), 'x');
  // without ifOnBridge the wrong bridge is an error, as with ovs-vsctl del-port
  const error = await t.throwsAsync(vs.delPort('dp1', { bridge: 'br-d2' }), { instanceOf: VSwitchError });
  t.is((error as VSwitchError).code, 'port-on-other-bridge');
  await vs.delPort('dp1', { bridge: 'br-d2', ifOnBridge: true });
  await vs.delPort('dp1', { bridge: 'no-such-bridge', ifOnBridge: true });
  await vs.delPort('no-such-port', { bridge: 'br-d1', ifOnBridge: true });
  t.is(vsctl(ours.dbRemote, 'list-ports', 'br-d1'), 'dp1', 'a port on another bridge is left alone');
  await vs.batch((b) => {
    b.delPort('dp1', { bridge: 'br-d1', ifOnBridge: true });
    b.delPort('dp2', { bridge: 'br-d2', ifOnBridge: true });
  });
  t.is(vsctl(ours.dbRemote, 'list-ports', 'br-d1'), '');
  t.is(vsctl(ours.dbRemote, 'list-ports', 'br-d2'), '');
  t.is(vsctlRows(ours.dbRemote, '--columns=name', 'find', 'Interface', 'name=dp1').length, 0);
});

it("sync() makes the replica show another client's commit; hasColumn reads the schema", async (t) => {
  // spawnSync blocks the event loop, so the update of this commit cannot have been read yet
  vsctl(ours.dbRemote, 'add-br', 'br-s');
  t.false(vs.bridgeExists('br-s'), 'not yet seen');
  await vs.sync();
  t.true(vs.bridgeExists('br-s'));
  t.true(vs.hasColumn('Interface', 'mtu_request'));
  t.false(vs.hasColumn('Interface', 'no_such_column'));
  t.false(vs.hasColumn('No_Such_Table', 'name'));
});

it('a batch resolves with what its committed transaction created, exactly', async (t) => {
  const first = await vs.batch((b) => {
    b.ensureBridge('br-o', { datapathType: 'netdev' });
    b.addPort('br-o', 'o1');
  });
  t.deepEqual(first, { createdBridges: ['br-o'], createdPorts: ['o1'] });
  // again: both exist, nothing created (o1 only gets its settings)
  const again = await vs.batch((b) => {
    b.ensureBridge('br-o', { datapathType: 'netdev' });
    b.addPort('br-o', 'o1', { tag: 5 });
  });
  t.deepEqual(again, { createdBridges: [], createdPorts: [] });
  // concurrent calls for the same new bridge and port: only the first one created them
  const both = await Promise.all(
    [1, 2].map((i) =>
      vs.batch((b) => {
        b.ensureBridge('br-o2');
        b.addPort('br-o2', 'o2', { externalIds: { by: String(i) } });
      }),
    ),
  );
  t.deepEqual(both, [
    { createdBridges: ['br-o2'], createdPorts: ['o2'] },
    { createdBridges: [], createdPorts: [] },
  ]);
  // another client's bridge the replica has not seen yet: the transaction built on the stale
  // replica fails its prerequisite, is rebuilt, and reports nothing created
  vsctl(ours.dbRemote, 'add-br', 'br-o3');
  t.false(vs.bridgeExists('br-o3'), 'not yet seen');
  t.deepEqual(await vs.batch((b) => b.ensureBridge('br-o3')), { createdBridges: [], createdPorts: [] });
  t.deepEqual(vsctlRows(ours.dbRemote, '--columns=name', 'find', 'Bridge', 'name=br-o3').length, 1);
});

it('a batch is one transaction and later verbs see earlier ones', async (t) => {
  let batches = 0;
  const count = () => batches++;
  vs.replica.on('batch', count);
  await vs.batch((b) => {
    b.ensureBridge('br-b', { datapathType: 'netdev' });
    for (let i = 0; i < 5; i++) b.addPort('br-b', `bp${i}`, { externalIds: { 'iface-id': `id-${i}` } });
    b.setPort('bp0', { tag: 12 });
    b.delPort('bp4');
  });
  vs.replica.off('batch', count);
  t.is(batches, 1, 'one update notification, so one transaction');
  t.is(vsctl(ours.dbRemote, 'list-ports', 'br-b'), 'bp0\nbp1\nbp2\nbp3');
  t.is(vsctl(ours.dbRemote, 'get', 'Port', 'bp0', 'tag'), '12');
  t.is(vsctl(ours.dbRemote, 'get', 'Interface', 'bp3', 'external_ids:iface-id'), 'id-3');
});

it('two clients adding ports to one bridge concurrently both succeed (optimistic retry)', async (t) => {
  const c2 = await OvsdbClient.connect(ours.dbRemote);
  try {
    const vs2 = await VSwitch.open(c2);
    await vs.ensureBridge('br-c', { datapathType: 'netdev' });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      jobs.push(vs.addPort('br-c', `ca${i}`));
      jobs.push(vs2.addPort('br-c', `cb${i}`));
      // the same name from both sides: exactly one port, both calls succeed
      jobs.push(vs.addPort('br-c', `same${i}`, { externalIds: { by: 'one' } }));
      jobs.push(vs2.addPort('br-c', `same${i}`, { externalIds: { by: 'two' } }));
    }
    const results = await Promise.allSettled(jobs);
    t.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
    );
    const ports = vsctl(ours.dbRemote, 'list-ports', 'br-c').split('\n');
    t.is(ports.length, 60);
    t.is(vsctlRows(ours.dbRemote, '--columns=name', 'find', 'Port', 'name=same3').length, 1);
    await vs2.close();
  } finally {
    await c2.close();
  }
});

it('with ovs-vswitchd: the port gets an ofport and next_cfg is applied', async (t) => {
  const sb = await OvsSandbox.start({ vswitchd: true });
  const c = await OvsdbClient.connect(sb.dbRemote);
  try {
    const v = await VSwitch.open(c);
    await v.ensureBridge(
      'br-w',
      { datapathType: 'netdev' },
      { wait: { timeoutMs: 10_000, onTimeout: 'reject' } },
    );
    await v.addPort(
      'br-w',
      'int0',
      { type: 'internal', mtuRequest: 1400 },
      { wait: { timeoutMs: 10_000, onTimeout: 'reject' } },
    );
    t.true((await v.waitForOfport('int0', 10_000)) > 0);
    const links = JSON.parse(
      sh('nsenter', [`--net=${sb.netnsPath}`, 'ip', '-j', 'link', 'show', 'int0']),
    ) as Array<{ mtu: number }>;
    t.is(links[0]?.mtu, 1400);
    t.is(
      vsctl(sb.dbRemote, 'get', 'Open_vSwitch', '.', 'cur_cfg'),
      vsctl(sb.dbRemote, 'get', 'Open_vSwitch', '.', 'next_cfg'),
    );
    await v.addPort('br-w', 'broken0', { type: 'no-such-type' });
    await t.throwsAsync(v.waitForOfport('broken0', 10_000), {
      instanceOf: VSwitchError,
      message: /could not attach/,
    });
  } finally {
    await c.close();
    await sb.stop();
  }
});

it('wait: concurrent calls share a transaction with one next_cfg bump, each resolves once cur_cfg reached it, failed interfaces reported', async (t) => {
  const sb = await OvsSandbox.start({ vswitchd: true });
  const c = await OvsdbClient.connect(sb.dbRemote);
  try {
    const v = await VSwitch.open(c);
    await v.ensureBridge('br-a', { datapathType: 'netdev' }, { wait: { timeoutMs: 10_000 } });
    const before = Number(vsctl(sb.dbRemote, 'get', 'Open_vSwitch', '.', 'next_cfg'));
    const calls = Array.from({ length: 8 }, (_, i) =>
      v
        .batch((b) => b.addPort('br-a', `ia${i}`, { type: 'internal' }), { wait: { timeoutMs: 10_000 } })
        .then((o) => ({
          report: o.vswitchd,
          // what the replica shows the moment the call resolves
          cur: v.replica.rows('Open_vSwitch').next().value?.cur_cfg as number,
          ofport: v.findInterface(`ia${i}`)?.ofport,
        })),
    );
    const seen = await Promise.all(calls);
    for (const s of seen) {
      t.truthy(s.report);
      t.false(s.report!.timedOut);
      t.deepEqual(s.report!.failedInterfaces, []);
      t.true(s.cur >= s.report!.nextCfg, `cur_cfg ${s.cur} >= ${s.report!.nextCfg}`);
      t.true((s.ofport ?? 0) > 0);
    }
    const bumps = new Set(seen.map((s) => s.report!.nextCfg)).size;
    const after = Number(vsctl(sb.dbRemote, 'get', 'Open_vSwitch', '.', 'next_cfg'));
    t.is(after - before, bumps, 'one bump per transaction');
    t.true(bumps < 8, `8 calls in ${bumps} transactions`);

    const bad = await v.batch((b) => b.addPort('br-a', 'bad0', { type: 'no-such-type' }), {
      wait: { timeoutMs: 10_000 },
    });
    t.is(bad.vswitchd?.failedInterfaces[0]?.name, 'bad0');
    t.is(bad.vswitchd?.failedInterfaces[0]?.ofport, -1);
    const same = await v.batch((b) => b.addPort('br-a', 'bad0', { type: 'no-such-type' }), {
      wait: { timeoutMs: 10_000 },
    });
    t.is(same.vswitchd, undefined, 'a transaction that changes nothing bumps nothing');
  } finally {
    await c.close();
    await sb.stop();
  }
});

it('wait without ovs-vswitchd: resolves after the bound with timedOut, or rejects with onTimeout reject', async (t) => {
  await vs.ensureBridge('br-nowait');
  const start = performance.now();
  const o = await vs.batch((b) => b.addPort('br-nowait', 'p0'), { wait: { timeoutMs: 300 } });
  t.true(performance.now() - start >= 290);
  t.is(o.vswitchd?.timedOut, true);
  t.is(o.vswitchd?.timeoutMs, 300);
  t.deepEqual(vsctlRows(ours.dbRemote, '--columns=name', 'find', 'Port', 'name=p0').length, 1);
  await t.throwsAsync(vs.delPort('p0', {}, { wait: { timeoutMs: 200, onTimeout: 'reject' } }), {
    instanceOf: VSwitchError,
    message: /did not apply next_cfg \d+ within 200 ms/,
  });
  t.is(vs.findPort('p0'), undefined, 'the change is committed all the same');
});
