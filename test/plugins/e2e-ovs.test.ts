/**
 * The ovs plugin end to end: each VIF type and option plugged into a namespace with a private
 * ovsdb-server, checked with `ip -j -d link` and `ovs-vsctl list` (rows and columns), plugged
 * again (nothing changes), unplugged, checked again.
 */
import { objects } from '../../src/vif/index.js';
import { gatedTest, INSTANCE, ids, net, profile, testHost } from './e2e-host.js';
import { makeSysfsTree } from './sysfs-tree.js';

const e2e = gatedTest('ovs end-to-end tests');

const ID = 'b679325f-ca89-4ee0-a8be-6db1409b69ea';
const MAC = 'fa:16:3e:7c:2a:01';
const TAP = 'tapb679325f-ca';

const ovsVif = (fields: Partial<Record<string, unknown>> = {}) =>
  new objects.VIFOpenVSwitch({
    id: ID,
    address: MAC,
    plugin: 'ovs',
    vif_name: TAP,
    bridge_name: 'br-int',
    network: net('br-int'),
    port_profile: profile(ID, { create_port: true }),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

e2e(
  'VIFOpenVSwitch with create_port: the port with os-vif ids, the tap MTU; unplug removes both',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('tuntap', 'add', 'dev', TAP, 'mode', 'tap');
    const ovs = host.ovs();
    await ovs.plug(ovsVif(), INSTANCE);
    const { links, ovs: rows } = host.state();
    t.deepEqual(rows.bridges, { 'br-int': { datapath_type: 'netdev', ports: ['br-int', TAP] } });
    t.deepEqual(rows.ports[TAP], { tag: [], interfaces: [TAP] });
    t.deepEqual(rows.interfaces[TAP], { type: '', options: {}, external_ids: ids(ID, MAC), mtu_request: [] });
    t.deepEqual(rows.interfaces['br-int'], {
      type: 'internal',
      options: {},
      external_ids: {},
      mtu_request: [],
    });
    t.is(links[TAP]?.mtu, 1450);
    await ovs.plug(ovsVif(), INSTANCE);
    t.deepEqual(host.state().ovs, rows, 'a second plug changes nothing');
    await ovs.unplug(ovsVif(), INSTANCE);
    const after = host.state();
    t.deepEqual(after.ovs.bridges, { 'br-int': { datapath_type: 'netdev', ports: ['br-int'] } });
    t.deepEqual(after.links, {}, 'the tap is deleted with its port, as in os-vif');
    await ovs.unplug(ovsVif(), INSTANCE);
  },
);

e2e(
  'VIFOpenVSwitch without create_port only ensures the bridge; isolate_vif tags created ports 4095',
  async (t) => {
    const host = await testHost(t);
    await host
      .ovs()
      .plug(ovsVif({ port_profile: profile(ID, { create_port: false, datapath_type: null }) }), INSTANCE);
    t.deepEqual(host.state().ovs.bridges, { 'br-int': { datapath_type: 'system', ports: ['br-int'] } });
    await host.ovs({ isolate_vif: true }).plug(ovsVif(), INSTANCE);
    const rows = host.state().ovs;
    t.is(rows.ports[TAP]?.tag, 4095);
    t.is(rows.bridges['br-int']?.datapath_type, 'netdev', 'the datapath type is overwritten, as os-vif does');
  },
);

e2e(
  'VIFOpenVSwitch with per_port_bridge: pb bridge, tap port, patch pair with ids on ibp; unplug removes them',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs({ per_port_bridge: true });
    await ovs.plug(ovsVif(), INSTANCE);
    const rows = host.state().ovs;
    const [pb, pbp, ibp] = ['pbb679325f-ca8', `pbp${ID}`, `ibp${ID}`];
    t.deepEqual(rows.bridges, {
      'br-int': { datapath_type: 'netdev', ports: ['br-int', ibp] },
      [pb]: { datapath_type: 'netdev', ports: [pb, pbp, TAP].sort() },
    });
    t.deepEqual(rows.interfaces[ibp], {
      type: 'patch',
      options: { peer: pbp },
      external_ids: ids(ID, MAC),
      mtu_request: [],
    });
    t.deepEqual(rows.interfaces[pbp], {
      type: 'patch',
      options: { peer: ibp },
      external_ids: {},
      mtu_request: [],
    });
    t.deepEqual(rows.interfaces[TAP]?.external_ids, {}, 'the tap port on pb has no ids (set_ids=False)');
    await ovs.unplug(ovsVif(), INSTANCE);
    t.deepEqual(host.state().ovs.bridges, { 'br-int': { datapath_type: 'netdev', ports: ['br-int'] } });
  },
);

const HID = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
const hybridVif = (id = HID, bridge = 'br-int') =>
  new objects.VIFBridge({
    id,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net(bridge),
    port_profile: profile(id),
  });

e2e(
  'VIFBridge hybrid plug: qbr (ageing 0, no STP/snooping, sysctls), promiscuous veth pair, qvo port; idempotent; unplug',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    await ovs.plug(hybridVif(), INSTANCE);
    const [qbr, qvb, qvo] = ['qbrd1a2b3c4-d5', 'qvbd1a2b3c4-d5', 'qvod1a2b3c4-d5'];
    const link = (name: string) => host.ns.link(name);
    const br = link(qbr)?.linkinfo?.info_data as Record<string, unknown>;
    t.is(br.ageing_time, 0);
    t.is(br.forward_delay, 0);
    t.is(br.stp_state, 0);
    t.is(br.mcast_snooping, 0);
    t.true(link(qbr)?.flags.includes('UP'));
    for (const dev of [qvb, qvo]) {
      t.is(link(dev)?.linkinfo?.info_kind, 'veth');
      t.is(link(dev)?.mtu, 1450);
      t.true(
        link(dev)?.flags.includes('PROMISC'),
        `${dev} is promiscuous (os-vif clears the flag by mistake)`,
      );
      t.true(link(dev)?.flags.includes('UP'));
    }
    t.is(link(qvb)?.master, qbr);
    const sysctl = (p: string) => host.ns.exec('cat', [`/proc/sys/net/${p}`]).stdout.trim();
    t.is(sysctl(`ipv6/conf/${qbr}/disable_ipv6`), '1');
    t.is(sysctl(`ipv4/conf/${qbr}/arp_ignore`), '1');
    t.is(sysctl(`ipv4/conf/${qbr}/arp_announce`), '2');
    const rows = host.state().ovs;
    t.deepEqual(rows.bridges['br-int'], { datapath_type: 'netdev', ports: ['br-int', qvo] });
    t.deepEqual(rows.interfaces[qvo]?.external_ids, ids(HID, 'fa:16:3e:7c:2a:02'));
    const before = host.state();
    await ovs.plug(hybridVif(), INSTANCE);
    t.deepEqual(host.state(), before, 'a second plug changes nothing');
    await ovs.unplug(hybridVif(), INSTANCE);
    const after = host.state();
    t.deepEqual(after.links, {});
    t.deepEqual(after.ovs.bridges['br-int']?.ports, ['br-int']);
  },
);

const VID = 'f3c4d5e6-f708-4192-a3b4-c5d6e7f8091a';
const vhuVif = (mode: 'client' | 'server') =>
  new objects.VIFVHostUser({
    id: VID,
    address: 'fa:16:3e:7c:2a:04',
    plugin: 'ovs',
    mode,
    path: '/var/run/openvswitch/vhuf3c4d5e6-f7',
    vif_name: 'vhuf3c4d5e6-f7',
    network: net('br-int'),
    port_profile: profile(VID, { datapath_type: null }),
  });

for (const mode of ['client', 'server'] as const) {
  e2e(
    `VIFVHostUser ${mode} mode: netdev bridge, the vhu port type and path, mtu_request; unplug`,
    async (t) => {
      const host = await testHost(t);
      const ovs = host.ovs();
      await ovs.plug(vhuVif(mode), INSTANCE);
      const rows = host.state().ovs;
      t.deepEqual(rows.bridges['br-int'], { datapath_type: 'netdev', ports: ['br-int', 'vhuf3c4d5e6-f7'] });
      t.deepEqual(rows.interfaces['vhuf3c4d5e6-f7'], {
        type: mode === 'client' ? 'dpdkvhostuser' : 'dpdkvhostuserclient',
        options: mode === 'client' ? {} : { 'vhost-server-path': '/var/run/openvswitch/vhuf3c4d5e6-f7' },
        external_ids: ids(VID, 'fa:16:3e:7c:2a:04'),
        mtu_request: 1450,
      });
      await ovs.unplug(vhuVif(mode), INSTANCE);
      t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
    },
  );
}

const DID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const hostdevVif = (dp: string) =>
  new objects.VIFHostDevice({
    id: DID,
    address: 'fa:16:3e:7c:2a:05',
    plugin: 'ovs',
    dev_type: 'ethernet',
    dev_address: '0000:3b:00.5',
    network: net('br-int'),
    port_profile: profile(DID, { datapath_type: dp }),
  });

e2e(
  'VIFHostDevice, kernel switchdev: representor found through a made-up sysfs, set up, ported; unplug sets it down',
  async (t) => {
    const tree = makeSysfsTree();
    t.teardown(tree.remove);
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'enp59s0f0_3', 'type', 'veth', 'peer', 'name', 'vf3peer');
    const ovs = host.ovs({ sysfs_root: tree.root });
    await ovs.plug(hostdevVif('system'), INSTANCE);
    t.true(host.ns.link('enp59s0f0_3')?.flags.includes('UP'));
    t.is(host.ns.link('enp59s0f0_3')?.mtu, 1450);
    const rows = host.state().ovs;
    t.deepEqual(rows.bridges['br-int'], { datapath_type: 'system', ports: ['br-int', 'enp59s0f0_3'] });
    t.deepEqual(rows.interfaces.enp59s0f0_3?.external_ids, ids(DID, 'fa:16:3e:7c:2a:05'));
    await ovs.unplug(hostdevVif('system'), INSTANCE);
    t.false(host.ns.link('enp59s0f0_3')?.flags.includes('UP'));
    t.truthy(host.ns.link('enp59s0f0_3'), 'the representor netdev is kept');
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
  },
);

e2e(
  'VIFHostDevice, DPDK: vfr port of type dpdk with the representor devargs and an mtu_request',
  async (t) => {
    const tree = makeSysfsTree();
    t.teardown(tree.remove);
    const host = await testHost(t);
    const ovs = host.ovs({ sysfs_root: tree.root });
    await ovs.plug(hostdevVif('netdev'), INSTANCE);
    t.deepEqual(host.state().ovs.interfaces['vfr0a1b2c3d-4e'], {
      type: 'dpdk',
      options: { 'dpdk-devargs': '0000:3b:00.0,representor=[3]' },
      external_ids: ids(DID, 'fa:16:3e:7c:2a:05'),
      mtu_request: 1450,
    });
    await ovs.unplug(hostdevVif('netdev'), INSTANCE);
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
  },
);

e2e('VIFHostDevice with no such PCI device: PciDeviceNotFoundById and nothing created', async (t) => {
  const tree = makeSysfsTree();
  t.teardown(tree.remove);
  const host = await testHost(t);
  const vif = hostdevVif('system');
  vif.dev_address = '0000:3b:00.7';
  const error = await t.throwsAsync(host.ovs({ sysfs_root: tree.root }).plug(vif, INSTANCE));
  t.is(error?.name, 'PciDeviceNotFoundById');
  t.deepEqual(host.state().ovs.bridges, {});
});

e2e('unplug from a tbr- trunk bridge deletes the trunk bridge too', async (t) => {
  const host = await testHost(t);
  const ovs = host.ovs();
  const vif = hybridVif(HID, 'tbr-3c4d5e6f-7');
  await ovs.plug(vif, INSTANCE);
  t.truthy(host.state().ovs.bridges['tbr-3c4d5e6f-7']);
  await ovs.unplug(vif, INSTANCE);
  t.deepEqual(host.state().ovs.bridges, {});
  t.deepEqual(host.state().links, {});
});

e2e(
  '40 concurrent hybrid plugs onto one new bridge all succeed; concurrent unplugs leave nothing',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    const vifs = Array.from({ length: 40 }, (_, i) =>
      hybridVif(`${(0x10000000 + i).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`),
    );
    await Promise.all(vifs.map((v) => ovs.plug(v, INSTANCE)));
    const rows = host.state().ovs;
    t.is(rows.bridges['br-int']?.ports.length, 41);
    t.is(Object.keys(host.state().links).length, 120, '40 x (qbr, qvb, qvo)');
    await Promise.all(vifs.map((v) => ovs.unplug(v, INSTANCE)));
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
    t.deepEqual(host.state().links, {});
  },
);

e2e(
  'plug and unplug of the same VIF issued together are serialized: the unplug wins, nothing is left',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    await Promise.all([ovs.plug(hybridVif(), INSTANCE), ovs.unplug(hybridVif(), INSTANCE)]);
    t.deepEqual(host.state().links, {});
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
  },
);
