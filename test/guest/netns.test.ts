/**
 * The container target: a veth whose host end is plugged as a tap would be (Linux bridge port,
 * OVS port with os-vif's ids), whose other end is `eth0` in the container's namespace with the
 * VIF's MAC, MTU, fixed IPs, routes and default gateway; the CNI-shaped result; two containers
 * reaching each other; rollback; detach leaving nothing in either namespace.
 */
import { attach, detach } from '../../src/guest/index.js';
import { objects } from '../../src/vif/index.js';
import { TestNetns } from '../harness/netns.js';
import { gatedTest, ids, testHost } from '../plugins/e2e-host.js';
import { bridgeVif, ID, INSTANCE, MAC, ovsVif, subnet, TAP } from './vifs.js';

const e2e = gatedTest('guest netns tests');
const BR = 'brq3b1f7c2e-5d';

function container(t: { teardown(fn: () => void): void }): TestNetns {
  const ns = TestNetns.create();
  t.teardown(() => ns.destroy());
  return ns;
}

interface IpAddr {
  ifname: string;
  address: string;
  mtu: number;
  operstate: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}

const globalAddrs = (ns: TestNetns, dev: string) =>
  (JSON.parse(ns.ip('-j', 'addr', 'show', 'dev', dev)) as IpAddr[])[0]?.addr_info
    .filter((a) => a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`);
const routes = (ns: TestNetns, family: '-4' | '-6') =>
  (JSON.parse(ns.ip('-j', family, 'route', 'show', 'dev', 'eth0')) as { dst: string; gateway?: string }[])
    .filter((r) => !r.dst.startsWith('fe80'))
    .map((r) => (r.gateway ? `${r.dst} via ${r.gateway}` : r.dst));

const v4 = () =>
  subnet('10.77.0.0/24', '10.77.0.5', '10.77.0.1', {
    routes: new objects.RouteList({
      objects: [new objects.Route({ cidr: '10.78.0.0/16', gateway: '10.77.0.254', interface: '' })],
    }),
  });
const v6 = () => subnet('fd77::/64', 'fd77::5', 'fd77::1', { dns: ['fd77::53'] });

e2e(
  'netns on a Linux bridge: eth0 with MAC, MTU, addresses, routes, gateway; host end on the bridge; detach leaves nothing',
  async (t) => {
    const host = await testHost(t);
    const pod = container(t);
    const opts = { netns: host.ns.name, plugin: host.linuxBridge() };
    const vif = bridgeVif(BR, [v4(), v6()]);
    const target = { kind: 'netns', netns: pod.name } as const;
    const result = await attach(vif, INSTANCE, target, opts);
    const eth0 = pod.link('eth0');
    t.is(eth0?.address, MAC);
    t.is(eth0?.mtu, 1450);
    t.is(eth0?.linkinfo?.info_kind, 'veth');
    t.true(eth0?.flags.includes('UP'));
    t.deepEqual(globalAddrs(pod, 'eth0'), ['10.77.0.5/24', 'fd77::5/64']);
    t.deepEqual(routes(pod, '-4'), ['default via 10.77.0.1', '10.77.0.0/24', '10.78.0.0/16 via 10.77.0.254']);
    t.deepEqual(routes(pod, '-6'), ['fd77::/64', 'default via fd77::1']);
    const hostEnd = host.ns.link(TAP);
    t.is(hostEnd?.master, BR);
    t.is(hostEnd?.mtu, 1450);
    t.true(hostEnd?.flags.includes('UP'));
    t.deepEqual(result, {
      kind: 'netns',
      interfaces: [
        { name: TAP, mac: hostEnd?.address },
        { name: 'eth0', mac: MAC, sandbox: pod.path },
      ],
      ips: [
        { address: '10.77.0.5/24', gateway: '10.77.0.1', interface: 1 },
        { address: 'fd77::5/64', gateway: 'fd77::1', interface: 1 },
      ],
      routes: [
        { dst: '10.78.0.0/16', gw: '10.77.0.254' },
        { dst: '0.0.0.0/0', gw: '10.77.0.1' },
        { dst: '::/0', gw: 'fd77::1' },
      ],
      dns: { nameservers: ['192.0.2.53', 'fd77::53'] },
    });
    t.deepEqual(await attach(vif, INSTANCE, target, opts), result, 'a second attach changes nothing');
    await detach(vif, INSTANCE, target, opts);
    t.is(host.ns.link(TAP), undefined);
    t.deepEqual(
      pod.links().map((l) => l.ifname),
      ['lo'],
    );
    await detach(vif, INSTANCE, target, opts);
  },
);

e2e('netns: two containers on one Linux bridge reach each other', async (t) => {
  const host = await testHost(t);
  const opts = { netns: host.ns.name, plugin: host.linuxBridge() };
  const pods = [container(t), container(t)];
  const vifs = [0, 1].map((i) =>
    bridgeVif(BR, [subnet('10.77.0.0/24', `10.77.0.${10 + i}`, '10.77.0.1')], {
      id: `3b1f7c2e-5d4a-4e6f-9a8b-0c1d2e3f4a5${i}`,
      address: `fa:16:3e:12:34:5${i}`,
      vif_name: `tap3b1f7c2e-${i}`,
    }),
  );
  for (const [i, pod] of pods.entries())
    await attach(vifs[i] as objects.VIFBridge, INSTANCE, { kind: 'netns', netns: pod.name }, opts);
  const ping = pods[0]?.exec('ping', ['-c', '1', '-W', '5', '10.77.0.11']);
  t.is(ping?.status, 0, ping?.stdout);
});

e2e(
  'netns on OVS: the host end is an OVS port with os-vif ids; a failing route removes both ends',
  async (t) => {
    const host = await testHost(t);
    const pod = container(t);
    const opts = { netns: host.ns.name, plugin: host.ovs() };
    const target = { kind: 'netns', netns: pod.name, ifname: 'net1' } as const;
    await attach(
      ovsVif('br-int', [subnet('10.77.0.0/24', '10.77.0.5', '10.77.0.1')]),
      INSTANCE,
      target,
      opts,
    );
    const { ovs, links } = host.state();
    t.deepEqual(ovs.bridges['br-int']?.ports, ['br-int', TAP]);
    t.deepEqual(ovs.interfaces[TAP]?.external_ids, ids(ID, MAC));
    t.like(links[TAP], { kind: 'veth', mtu: 1450, up: true });
    t.is(pod.link('net1')?.address, MAC);
    await detach(ovsVif('br-int'), INSTANCE, target, opts);
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
    t.deepEqual(host.state().links, {});

    const unreachable = ovsVif('br-int', [
      subnet('10.77.0.0/24', '10.77.0.5', '10.77.0.1', {
        routes: new objects.RouteList({
          objects: [new objects.Route({ cidr: '10.78.0.0/16', gateway: '203.0.113.1', interface: '' })],
        }),
      }),
    ]);
    await t.throwsAsync(attach(unreachable, INSTANCE, target, opts));
    t.deepEqual(host.state().links, {}, 'the veth is gone');
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int'], 'the port is gone');
    t.deepEqual(
      pod.links().map((l) => l.ifname),
      ['lo'],
    );
  },
);

e2e(
  'netns: a missing namespace changes nothing; detach after the container died removes the host end',
  async (t) => {
    const host = await testHost(t);
    const opts = { netns: host.ns.name, plugin: host.linuxBridge() };
    const vif = bridgeVif(BR, [v4()]);
    await t.throwsAsync(attach(vif, INSTANCE, { kind: 'netns', netns: `ovt${process.pid}none` }, opts));
    t.deepEqual(host.state().links, {}, 'not even the bridge was made');
    const pod = TestNetns.create();
    await attach(vif, INSTANCE, { kind: 'netns', netns: pod.name }, opts);
    pod.destroy();
    // the veth goes with the namespace's end; the bridge stays
    await detach(vif, INSTANCE, { kind: 'netns', netns: pod.name }, opts);
    t.is(host.ns.link(TAP), undefined);
    await detach(vif, INSTANCE, { kind: 'netns', netns: '' }, opts);
  },
);
