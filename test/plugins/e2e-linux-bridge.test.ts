/**
 * The linux_bridge plugin end to end in a namespace: the flat path (bridge settings, sysctls,
 * the NIC enslaved, its primary global address and gateway routes moved to the bridge, MTUs),
 * the multi_host / should_provide_bridge rules, and the VLAN path on a kernel without 8021q.
 */
import test from 'ava';
import { objects } from '../../src/vif/index.js';
import { isRoot, trySh } from '../harness/netns.js';
import { INSTANCE, net, testHost } from './e2e-host.js';

const e2e = isRoot ? test : test.skip;

const vif = (network: objects.Network) =>
  new objects.VIFBridge({
    id: '7a9b8c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    address: 'fa:16:3e:7c:2a:0b',
    plugin: 'linux_bridge',
    vif_name: 'tap7a9b8c6d-5e',
    bridge_name: 'brq7a9b8c6d-5e',
    has_traffic_filtering: true,
    network,
  });

const flat = (fields: Record<string, unknown> = {}) =>
  net('brq7a9b8c6d-5e', { should_provide_bridge: true, bridge_interface: 'eth-nic', mtu: 1400, ...fields });

e2e(
  'flat network: bridge created as os-vif does, NIC enslaved, its address and gateway routes moved, MTUs set',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'eth-nic', 'type', 'veth', 'peer', 'name', 'eth-far');
    host.ns.ip('link', 'set', 'eth-nic', 'up');
    host.ns.ip('link', 'set', 'eth-far', 'up');
    host.ns.ip('addr', 'add', '10.99.5.10/24', 'dev', 'eth-nic');
    host.ns.ip('addr', 'add', '10.99.4.12/24', 'dev', 'eth-nic', 'valid_lft', '300', 'preferred_lft', '300');
    host.ns.ip('route', 'add', '10.99.6.0/24', 'via', '10.99.5.1');
    host.ns.ip('route', 'add', 'default', 'via', '10.99.5.1');
    const lb = host.linuxBridge();
    await lb.plug(vif(flat()), INSTANCE);
    const br = host.ns.link('brq7a9b8c6d-5e');
    const data = br?.linkinfo?.info_data as Record<string, unknown>;
    t.is(br?.linkinfo?.info_kind, 'bridge');
    t.is(data.forward_delay, 0);
    t.is(data.stp_state, 0);
    t.is(data.mcast_snooping, 0);
    t.is(br?.mtu, 1400);
    t.true(br?.flags.includes('UP'));
    t.is(host.ns.link('eth-nic')?.master, 'brq7a9b8c6d-5e');
    t.is(host.ns.link('eth-nic')?.mtu, 1400);
    const addrs = (dev: string) =>
      (
        JSON.parse(host.ns.ip('-j', '-4', 'addr', 'show', 'dev', dev)) as { addr_info: { local: string }[] }[]
      )[0]?.addr_info.map((a) => a.local) ?? [];
    t.deepEqual(addrs('brq7a9b8c6d-5e'), ['10.99.5.10'], 'the permanent global address moved');
    t.deepEqual(addrs('eth-nic'), ['10.99.4.12'], 'the dynamic one stays, as in os-vif');
    const routes = JSON.parse(host.ns.ip('-j', 'route', 'show', 'dev', 'brq7a9b8c6d-5e')) as {
      dst: string;
      gateway?: string;
    }[];
    t.deepEqual(
      routes
        .filter((r) => r.gateway)
        .map((r) => `${r.dst} via ${r.gateway}`)
        .sort(),
      ['10.99.6.0/24 via 10.99.5.1', 'default via 10.99.5.1'],
    );
    const sysctl = (p: string) => host.ns.exec('cat', [`/proc/sys/net/${p}`]).stdout.trim();
    t.is(sysctl('ipv6/conf/brq7a9b8c6d-5e/disable_ipv6'), '1');
    t.is(sysctl('ipv4/conf/brq7a9b8c6d-5e/arp_ignore'), '1');
    t.is(sysctl('ipv4/conf/brq7a9b8c6d-5e/arp_announce'), '2');
    const before = host.state().links;
    await lb.plug(vif(flat()), INSTANCE);
    t.deepEqual(host.state().links, before, 'a second plug changes nothing');
    await lb.unplug(vif(flat()), INSTANCE);
    t.truthy(host.ns.link('brq7a9b8c6d-5e'), 'unplug is a no-op, as in os-vif');
  },
);

e2e('multi_host, or should_provide_bridge false: nothing is done', async (t) => {
  const host = await testHost(t);
  const lb = host.linuxBridge();
  await lb.plug(vif(flat({ multi_host: true })), INSTANCE);
  await lb.plug(vif(flat({ should_provide_bridge: false })), INSTANCE);
  t.deepEqual(host.state().links, {});
});

e2e(
  'flat network whose NIC is absent: the bridge alone, as in os-vif (flat_interface overrides the network)',
  async (t) => {
    const host = await testHost(t);
    await host
      .linuxBridge({ flat_interface: 'eth-none' })
      .plug(vif(flat({ bridge_interface: 'eth-nic' })), INSTANCE);
    t.deepEqual(Object.keys(host.state().links), ['brq7a9b8c6d-5e']);
  },
);

e2e(
  'VLAN network: vlan<N> and the bridge on it where the kernel has 8021q; else a typed error and nothing left',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'eth-nic', 'type', 'veth', 'peer', 'name', 'eth-far');
    const kernelHasVlan =
      trySh('ip', [
        '-n',
        host.ns.name,
        'link',
        'add',
        'link',
        'eth-nic',
        'name',
        'vprobe',
        'type',
        'vlan',
        'id',
        '5',
      ]).status === 0;
    trySh('ip', ['-n', host.ns.name, 'link', 'del', 'vprobe']);
    const before = host.state().links;
    const plug = host.linuxBridge().plug(vif(flat({ should_provide_vlan: true, vlan: 100 })), INSTANCE);
    if (kernelHasVlan) {
      await plug;
      t.is(host.ns.link('vlan100')?.master, 'brq7a9b8c6d-5e');
      return;
    }
    const error = await t.throwsAsync(plug);
    t.is(error?.name, 'UnsupportedLinkKind');
    t.regex(error?.message ?? '', /8021q/);
    t.deepEqual(host.state().links, before);
  },
);

e2e(
  'VLAN network whose parent NIC is missing: NetworkInterfaceNotFound before anything changes',
  async (t) => {
    const host = await testHost(t);
    const error = await t.throwsAsync(
      host
        .linuxBridge()
        .plug(vif(flat({ should_provide_vlan: true, vlan: 100, bridge_interface: 'eth-gone' })), INSTANCE),
    );
    t.is(error?.name, 'NetworkInterfaceNotFound');
    t.is(error?.message, 'Network interface eth-gone not found');
    t.deepEqual(host.state().links, {});
  },
);
