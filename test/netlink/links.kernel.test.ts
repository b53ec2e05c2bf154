/**
 * Every link kind against the real kernel, in namespaces of this file: created, read back,
 * changed and deleted, with `ip -j -d link` as the independent witness.
 */
import test from 'ava';
import {
  createNetns,
  deleteNetns,
  LinkNotFound,
  listNetns,
  Netlink,
  NetlinkError,
  NetlinkValidationError,
  UnsupportedLinkKind,
} from '../../src/netlink/index.js';
import { type IpLink, isRoot, TestNetns, trySh } from '../harness/netns.js';
import { inNetns, kernelTest } from './kernel.js';

let peerNs: TestNetns | undefined;

test.before(() => {
  if (isRoot) peerNs = TestNetns.create();
});

test.after.always(() => {
  peerNs?.destroy();
});

const uid1000 = (): string[] => ['1000', trySh('getent', ['passwd', '1000']).stdout.split(':')[0]];
const bridgeId = (id: unknown) =>
  String(id)
    .split(/[.:]/)
    .map((x) => Number.parseInt(x, 16));

const data = (l: IpLink | undefined) => l?.linkinfo?.info_data ?? {};

kernelTest('bridge: STP, forward delay, ageing, snooping, MTU and up; read back, changed, deleted', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({
      kind: 'bridge',
      name: 'br0',
      stpState: true,
      forwardDelay: 400,
      ageingTime: 20000,
      multicastSnooping: false,
      mtu: 1400,
      up: true,
    });
    const w = ns.link('br0');
    t.is(w?.linkinfo?.info_kind, 'bridge');
    t.like(data(w), { stp_state: 1, forward_delay: 400, ageing_time: 20000, mcast_snooping: 0 });
    t.is(w?.mtu, 1400);
    t.true(w?.flags.includes('UP'));
    const got = await nl.links.get('br0');
    t.is(got?.kind, 'bridge');
    t.is(got?.index, w?.ifindex);
    t.is((await nl.links.get(got?.index ?? 0))?.name, 'br0', 'by index too');
    t.is(await nl.links.index('br0'), w?.ifindex ?? -1);
    t.like(got?.data, {
      stpState: 1,
      forwardDelay: 400,
      ageingTime: 20000,
      mcastSnooping: 0,
      vlanFiltering: 0,
    });
    t.deepEqual(bridgeId(got?.data?.bridgeId), bridgeId(w?.linkinfo?.info_data?.bridge_id));
    // the kernel applies the forward delay before the STP state, and refuses 0 while STP is on
    await nl.links.set('br0', { kind: 'bridge', stpState: false, multicastSnooping: true });
    await nl.links.set('br0', { kind: 'bridge', forwardDelay: 0 });
    t.like(data(ns.link('br0')), { stp_state: 0, forward_delay: 0, mcast_snooping: 1, ageing_time: 20000 });
    await t.throwsAsync(nl.links.set('br0', { kind: 'bridge', ageingTime: -1 }), {
      instanceOf: NetlinkValidationError,
    });
    await nl.links.set('br0', { mtu: 1500, up: false, address: 'fa:16:3e:00:00:0b' });
    const w2 = ns.link('br0');
    t.is(w2?.mtu, 1500);
    t.false(w2?.flags.includes('UP'));
    t.is(w2?.address, 'fa:16:3e:00:00:0b');
    await nl.links.del('br0');
    t.is(ns.link('br0'), undefined);
    t.is(await nl.links.get('br0'), undefined);
  }),
);

kernelTest('tap owned by a user, plugged into a bridge with MTU and up; tun too', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brt', up: true });
    await nl.links.add({
      kind: 'tap',
      name: 'tap0',
      owner: 1000,
      ownerGroup: 1000,
      mtu: 1450,
      master: 'brt',
      up: true,
    });
    const w = ns.link('tap0');
    t.like(data(w), { type: 'tap', pi: false, persist: true });
    t.true(uid1000().includes(String(data(w).user)));
    t.is(w?.master, 'brt');
    t.is(w?.mtu, 1450);
    t.true(w?.flags.includes('UP'));
    const got = await nl.links.get('tap0');
    t.like(got, { kind: 'tun', mtu: 1450, up: true, slaveKind: 'bridge' });
    t.like(got?.data, { type: 2, owner: 1000, group: 1000, persist: 1 });
    t.is(got?.master, (await nl.links.get('brt'))?.index);
    await nl.links.add({ kind: 'tun', name: 'tun0', multiQueue: true, vnetHdr: true });
    t.like(data(ns.link('tun0')), { type: 'tun', multi_queue: true, vnet_hdr: true });
    await nl.links.set('tap0', { master: null, promisc: true, name: 'tap1' });
    const w2 = ns.link('tap1');
    t.is(w2?.master, undefined);
    t.true(w2?.flags.includes('PROMISC'));
    await nl.links.del('tap1');
    await nl.links.del('tun0');
    await nl.links.del('brt');
    t.deepEqual(
      ns.links().map((l) => l.ifname),
      ['lo'],
    );
  }),
);

kernelTest('veth with its peer created in a second namespace', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({
      kind: 'veth',
      name: 'v0',
      mtu: 1400,
      peer: { name: 'eth0', netns: peerNs!.name, mtu: 1400 },
    });
    t.is(ns.link('v0')?.mtu, 1400);
    t.is(peerNs!.link('eth0')?.mtu, 1400);
    t.is(peerNs!.link('eth0')?.linkinfo?.info_kind, 'veth');
    const got = await nl.links.get('v0');
    t.is(got?.kind, 'veth');
    t.is(typeof got?.linkNetnsid, 'number');
    await nl.links.del('v0');
    t.is(peerNs!.link('eth0'), undefined);
  }),
);

kernelTest('macvlan and macvtap in each mode on a lower device', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({ kind: 'veth', name: 'low0', peer: { name: 'low1' } });
    const modes = ['private', 'vepa', 'bridge', 'passthru'] as const;
    for (const [i, mode] of modes.entries()) {
      const kind = i % 2 ? 'macvtap' : 'macvlan';
      await nl.links.add({ kind, name: `mv${i}`, link: 'low0', mode });
      const w = ns.link(`mv${i}`);
      t.is(w?.linkinfo?.info_kind, kind);
      t.is(data(w).mode, mode);
      const got = await nl.links.get(`mv${i}`);
      t.is(got?.kind, kind);
      t.is(got?.link, ns.link('low0')?.ifindex);
      await nl.links.del(`mv${i}`);
    }
    await nl.links.add({
      kind: 'macvtap',
      name: 'mvt',
      link: 'low0',
      mode: 'bridge',
      address: 'fa:16:3e:00:00:0c',
      up: true,
    });
    t.is(ns.link('mvt')?.address, 'fa:16:3e:00:00:0c');
    await nl.links.set('mvt', { kind: 'macvtap', mode: 'vepa' });
    t.is(data(ns.link('mvt')).mode, 'vepa');
    await nl.links.del('low0');
    t.is(ns.link('mvt'), undefined, 'the macvtap went with its lower device');
  }),
);

kernelTest('vxlan: id, remote, local, device, port, ttl, learning', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({ kind: 'veth', name: 'ul0', peer: { name: 'ul1' } });
    await nl.links.add({
      kind: 'vxlan',
      name: 'vx0',
      id: 42,
      remote: '10.99.0.2',
      local: '10.99.0.1',
      link: 'ul0',
      port: 4789,
      ttl: 64,
      learning: false,
    });
    t.like(data(ns.link('vx0')), {
      id: 42,
      remote: '10.99.0.2',
      local: '10.99.0.1',
      link: 'ul0',
      port: 4789,
      ttl: 64,
      learning: false,
    });
    const got = await nl.links.get('vx0');
    t.like(got?.data, { id: 42, group: '10.99.0.2', local: '10.99.0.1', port: 4789, ttl: 64, learning: 0 });
    await nl.links.add({ kind: 'vxlan', name: 'vx6', id: 7, remote: '2001:db8::2', port: 4790 });
    t.like(data(ns.link('vx6')), { id: 7, remote6: '2001:db8::2', port: 4790 });
    await nl.links.del('vx6');
    await nl.links.del('vx0');
    await nl.links.del('ul0');
  }),
);

kernelTest('kinds and options this kernel lacks give UnsupportedLinkKind naming what is missing', (t) =>
  inNetns(async (ns, nl) => {
    const before = ns.links().map((l) => l.ifname);
    const dummy = await t.throwsAsync(nl.links.add({ kind: 'dummy', name: 'd0' }), {
      instanceOf: UnsupportedLinkKind,
    });
    t.regex(dummy?.message ?? '', /CONFIG_DUMMY/);
    t.is(dummy?.kind, 'dummy');
    t.is(dummy?.extAck, 'Unknown device type');
    await nl.links.add({ kind: 'veth', name: 'vl0', peer: { name: 'vl1' } });
    const vlan = await t.throwsAsync(nl.links.add({ kind: 'vlan', name: 'vl0.5', link: 'vl0', id: 5 }), {
      instanceOf: UnsupportedLinkKind,
    });
    t.regex(vlan?.message ?? '', /8021q/);
    const vf = await t.throwsAsync(nl.links.add({ kind: 'bridge', name: 'brvf', vlanFiltering: true }), {
      instanceOf: UnsupportedLinkKind,
    });
    t.regex(vf?.missing ?? '', /VLAN filtering/);
    t.is(ns.link('brvf'), undefined, 'the kernel rolled the bridge back');
    await nl.links.del('vl0');
    t.deepEqual(
      ns.links().map((l) => l.ifname),
      before,
    );
  }),
);

kernelTest('bad input is refused before anything is sent; errors carry code, operation and name', (t) =>
  inNetns(async (ns, nl) => {
    const names = () => ns.links().map((l) => l.ifname);
    const before = names();
    await t.throwsAsync(nl.links.add({ kind: 'bridge', name: 'this-name-is-too-long' }), {
      instanceOf: NetlinkValidationError,
    });
    await t.throwsAsync(nl.links.add({ kind: 'tap', name: 'tapx', address: '01:02:03:04:05:06' }), {
      instanceOf: NetlinkValidationError,
    });
    await t.throwsAsync(nl.links.add({ kind: 'tap', name: 'tapx', mtu: 20 }), {
      instanceOf: NetlinkValidationError,
    });
    await t.throwsAsync(nl.links.add({ kind: 'tap', name: 'tapx', master: 'nosuchbr' }), {
      instanceOf: LinkNotFound,
    });
    t.deepEqual(names(), before, 'nothing changed');
    await nl.links.add({ kind: 'bridge', name: 'bre' });
    const exists = await t.throwsAsync(nl.links.add({ kind: 'bridge', name: 'bre' }), {
      instanceOf: NetlinkError,
    });
    t.like(exists, { code: 'EEXIST', errno: 17, operation: 'links.add', interface: 'bre' });
    const missing = await t.throwsAsync(nl.links.del('nosuch'), { instanceOf: LinkNotFound });
    t.like(missing, { code: 'ENODEV', operation: 'links.del', interface: 'nosuch' });
    await t.throwsAsync(nl.links.set('nosuch', { up: true }), { instanceOf: LinkNotFound });
    await nl.links.del('bre');
  }),
);

kernelTest('a tap whose settings fail is removed again (no half-made link)', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({ kind: 'veth', name: 'notbr', peer: { name: 'notbr1' } });
    // a veth cannot be a master: the kernel refuses the enslave after the tap exists
    const e = await t.throwsAsync(nl.links.add({ kind: 'tap', name: 'tapr', master: 'notbr', up: true }));
    t.true(e instanceof NetlinkError, String(e));
    t.is(ns.link('tapr'), undefined);
    await nl.links.del('notbr');
  }),
);

kernelTest('taps added in one tick are made by one native call; each succeeds or fails on its own', (t) =>
  inNetns(async (ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brt', up: true });
    await nl.links.add({ kind: 'tap', name: 'tt0' });
    const before = nl.links.tunBatches;
    const plugs = Array.from({ length: 20 }, (_, i) => `tb${i}`);
    const results = await Promise.allSettled([
      ...plugs.map((name) => nl.links.add({ kind: 'tap', name, mtu: 1400, master: 'brt', up: true })),
      nl.links.add({ kind: 'tap', name: 'tt0', master: 'brt' }), // taken: EEXIST, tt0 untouched
      nl.links.add({ kind: 'tun', name: 'tun9', master: 'brt' }), // a bridge takes no tun: rolled back
    ]);
    t.is(nl.links.tunBatches, before + 1, 'one native call for all 22');
    t.deepEqual(
      results.map((r) => r.status),
      [...plugs.map(() => 'fulfilled'), 'rejected', 'rejected'],
    );
    t.like((results[20] as PromiseRejectedResult).reason, { code: 'EEXIST', interface: 'tt0' });
    t.true((results[21] as PromiseRejectedResult).reason instanceof NetlinkError);
    const links = ns.links();
    const ports = links.filter((l) => l.master === 'brt');
    t.deepEqual(ports.map((l) => l.ifname).sort(), [...plugs].sort());
    t.true(ports.every((l) => l.mtu === 1400 && l.flags.includes('UP')));
    t.is(ns.link('tun9'), undefined, 'the tun whose settings failed was deleted again');
    t.is(ns.link('tt0')?.master, undefined);
  }),
);

kernelTest(
  'list filters by kind and master in the kernel, by group; group delete removes many in one request',
  (t) =>
    inNetns(async (ns, nl) => {
      await nl.links.add({ kind: 'bridge', name: 'brl', up: true });
      for (let i = 0; i < 5; i++)
        await nl.links.add({ kind: 'tap', name: `tg${i}`, master: 'brl', group: 9 });
      await nl.links.add({ kind: 'tap', name: 'tother' });
      t.deepEqual(
        (await nl.links.list({ kind: 'bridge' })).map((l) => l.name),
        ['brl'],
      );
      t.deepEqual((await nl.links.list({ master: 'brl' })).map((l) => l.name).sort(), [
        'tg0',
        'tg1',
        'tg2',
        'tg3',
        'tg4',
      ]);
      t.is((await nl.links.list({ group: 9 })).length, 5);
      t.is((await nl.links.list({ kind: 'tap' })).length, 6);
      const sends = nl.sends;
      await nl.links.del({ group: 9 });
      t.is(nl.sends, sends + 1, 'one datagram');
      t.deepEqual(
        ns
          .links()
          .map((l) => l.ifname)
          .sort(),
        ['brl', 'lo', 'tother'],
      );
      await Promise.all([nl.links.del('brl'), nl.links.del('tother')]);
    }),
);

kernelTest('requests issued in the same tick leave in one datagram', (t) =>
  inNetns(async (_ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brb' });
    const sends = nl.sends;
    const links = await Promise.all(Array.from({ length: 50 }, () => nl.links.get('brb')));
    t.true(links.every((l) => l?.name === 'brb'));
    t.is(nl.sends, sends + 1);
    await nl.links.del('brb');
  }),
);

kernelTest('a link moved to another namespace with links.set; named namespaces made by the library', (t) =>
  inNetns(async (ns, nl) => {
    const name = `ovt${process.pid}xm`;
    const path = await createNetns(name);
    try {
      t.true((await listNetns()).includes(name));
      await t.throwsAsync(createNetns(name), { instanceOf: NetlinkError, message: /EEXIST/ });
      await nl.links.add({ kind: 'veth', name: 'mv0', peer: { name: 'mv1' } });
      await nl.links.set('mv1', { netns: name });
      t.is(ns.link('mv1'), undefined);
      const other = await Netlink.open({ netns: path });
      try {
        t.is((await other.links.get('mv1'))?.kind, 'veth');
        await other.links.set('mv1', { name: 'eth0', up: true });
        t.is((await other.links.get('eth0'))?.up, true);
      } finally {
        other.close();
      }
    } finally {
      await deleteNetns(name);
    }
    t.false((await listNetns()).includes(name));
    await t.throwsAsync(deleteNetns(name), { instanceOf: NetlinkError, message: /ENOENT/ });
  }),
);

/** Blocks the event loop thread for `ms`: timers fall due while nothing else can run. */
const blockLoop = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const turn = {
  /** Continues in a setImmediate callback (the loop's check phase). */
  check: () => new Promise<void>((resolve) => setImmediate(resolve)),
  /** Continues in a timer callback (the loop's timers phase). */
  timers: () => new Promise<void>((resolve) => setTimeout(resolve, 0)),
};

kernelTest(
  'a request that outlives its timeout fails with ETIMEDOUT, sent or never sent; a missing namespace fails to open',
  (t) =>
    inNetns(async (ns, nl) => {
      for (let i = 0; i < 3; i++) await nl.links.add({ kind: 'tap', name: `to${i}`, group: 5 });
      const hasty = await Netlink.open({ netns: ns.path, timeoutMs: 1 });
      try {
        // Issued in the check phase, the request's flush runs in the next loop iteration's check
        // phase, after its timers phase: with the loop blocked for 20 ms, the 1 ms timeout
        // fires first, and the request is dropped before it was sent.
        await turn.check();
        const early = hasty.links.del({ group: 5 });
        blockLoop(20);
        const e1 = await t.throwsAsync(early, { instanceOf: NetlinkError });
        t.like(e1, { code: 'ETIMEDOUT', operation: 'links.del' });
        t.regex(e1?.extAck ?? '', /before it was sent; the kernel never saw it/);
        await new Promise((r) => setTimeout(r, 50)); // long past the flush
        t.is(hasty.sends, 0, 'nothing was sent');
        t.is((await nl.links.list({ group: 5 })).length, 3, 'the kernel did nothing');

        // Issued in the timers phase, the flush runs in this iteration's check phase, before the
        // timeout can fire (in the next iteration's timers phase, which comes before the poll
        // phase that reads answers): the request was sent, and then timed out.
        await turn.timers();
        const late = hasty.links.del({ group: 5 });
        await turn.check(); // queued after the flush: runs right after it
        t.is(hasty.sends, 1, 'sent');
        blockLoop(20);
        const e2 = await t.throwsAsync(late, { instanceOf: NetlinkError });
        t.like(e2, { code: 'ETIMEDOUT', operation: 'links.del' });
        t.regex(e2?.extAck ?? '', /was sent and the kernel may still carry it out/);
        // the socket stays open until the kernel has carried the request out (close() would
        // cancel a datagram the addon has not handed to sendmsg yet); its late answer matches
        // nothing and is dropped quietly
        for (let i = 0; i < 200 && (await nl.links.list({ group: 5 })).length > 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        t.is((await nl.links.list({ group: 5 })).length, 0, 'the kernel carried out the one sent');
      } finally {
        hasty.close();
      }
      const missing = await t.throwsAsync(Netlink.open({ netns: `ovt${process.pid}nope` }), {
        instanceOf: NetlinkError,
      });
      t.like(missing, { code: 'ENOENT', operation: 'open' });
      await t.throwsAsync(Netlink.open({ netns: '..' }), { instanceOf: NetlinkValidationError });
    }),
);
