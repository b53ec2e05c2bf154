/**
 * The guest tap target in a namespace: the tap's owner, group, queues, vnet header, MTU and
 * MAC read back through the addon, where it is plugged (Linux bridge port, OVS port with
 * os-vif's external ids), a second attach changing nothing, rollback, detach leaving nothing.
 */
import { attach, detach, InvalidGuestTarget } from '../../src/guest/index.js';
import { Netlink } from '../../src/netlink/index.js';
import { UnexpectedDevice } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { gatedTest, ids, profile, testHost } from '../plugins/e2e-host.js';
import { bridgeVif, ID, INSTANCE, MAC, network, ovsVif, TAP } from './vifs.js';

const e2e = gatedTest('guest tap tests');
const BR = 'brq3b1f7c2e-5d';
const FE_MAC = 'fe:16:3e:12:34:56';

e2e(
  'tap on a Linux bridge: owner, group, multi_queue, vnet_hdr, MTU, MAC read back; detach leaves nothing',
  async (t) => {
    const host = await testHost(t);
    const plugin = host.linuxBridge();
    const opts = { netns: host.ns.name, plugin };
    const target = { kind: 'tap', owner: 1234, group: 2345, multiQueue: true, vnetHdr: true } as const;
    const result = await attach(bridgeVif(BR), INSTANCE, target, opts);
    const nl = await Netlink.open({ netns: host.ns.name });
    t.teardown(() => nl.close());
    const tap = await nl.links.get(TAP);
    const br = await nl.links.get(BR);
    t.is(tap?.kind, 'tun');
    t.like(tap?.data, { type: 2, owner: 1234, group: 2345, multiQueue: 1, vnetHdr: 1, persist: 1, pi: 0 });
    t.is(tap?.address, FE_MAC, 'the host side is fe: and the VIF MAC, as libvirt sets it');
    t.is(tap?.mtu, 1450);
    t.is(tap?.master, br?.index);
    t.true(tap?.up);
    t.deepEqual(result, {
      kind: 'tap',
      name: TAP,
      ifindex: tap?.index,
      mac: FE_MAC,
      guestMac: MAC,
      mtu: 1450,
    });
    const again = await attach(bridgeVif(BR), INSTANCE, target, opts);
    t.deepEqual(again, result, 'a second attach reuses the tap');
    await detach(bridgeVif(BR), INSTANCE, target, opts);
    t.is(await nl.links.get(TAP), undefined);
    t.truthy(await nl.links.get(BR), 'the bridge is shared and stays, as os-vif leaves it');
    await detach(bridgeVif(BR), INSTANCE, target, opts);
  },
);

e2e(
  'tap on OVS: the ovs plugin makes the port libvirt would, with os-vif external ids; detach removes port and tap',
  async (t) => {
    const host = await testHost(t);
    const plugin = host.ovs();
    const opts = { netns: host.ns.name, plugin };
    const vif = ovsVif('br-int');
    const r = await attach(vif, INSTANCE, { kind: 'tap', vnetHdr: true }, opts);
    t.is(r.mac, FE_MAC);
    const { links, ovs } = host.state();
    t.deepEqual(ovs.bridges['br-int']?.ports, ['br-int', TAP]);
    t.deepEqual(ovs.interfaces[TAP]?.external_ids, ids(ID, MAC));
    t.like(links[TAP], { kind: 'tun', mtu: 1450, up: true });
    t.false(
      (vif.port_profile as objects.VIFPortProfileOpenVSwitch).create_port,
      "the caller's VIF is not changed",
    );
    await detach(vif, INSTANCE, { kind: 'tap' }, opts);
    const after = host.state();
    t.deepEqual(after.ovs.bridges['br-int']?.ports, ['br-int']);
    t.deepEqual(after.links, {});
    await detach(vif, INSTANCE, { kind: 'tap' }, opts);
  },
);

e2e('tap: a failing plug removes the tap it made; wrong devices and targets change nothing', async (t) => {
  const host = await testHost(t);
  const failing = {
    plug: async () => {
      throw new Error('injected plug failure');
    },
    unplug: async () => undefined,
  };
  const opts = { netns: host.ns.name, plugin: failing };
  await t.throwsAsync(attach(bridgeVif(BR), INSTANCE, { kind: 'tap' }, opts), {
    message: 'injected plug failure',
  });
  t.deepEqual(host.state().links, {}, 'the tap was removed again');
  host.ns.ip('link', 'add', TAP, 'type', 'bridge');
  await t.throwsAsync(attach(bridgeVif(BR), INSTANCE, { kind: 'tap' }, opts), {
    instanceOf: UnexpectedDevice,
  });
  await t.throwsAsync(detach(bridgeVif(BR), INSTANCE, { kind: 'tap' }, opts), {
    instanceOf: UnexpectedDevice,
  });
  t.is(host.ns.link(TAP)?.linkinfo?.info_kind, 'bridge', 'a foreign device is left alone');
  await t.throwsAsync(attach(bridgeVif(BR), INSTANCE, { kind: 'macvtap' }, opts), {
    instanceOf: InvalidGuestTarget,
  });
  await t.throwsAsync(attach(bridgeVif(BR), INSTANCE, { kind: 'tap', owner: -1 }, opts), {
    instanceOf: InvalidGuestTarget,
  });
  t.deepEqual(Object.keys(host.state().links), [TAP]);
});

e2e(
  'tap for a hybrid VIFBridge (ovs plugin): the plugin makes qbr/qvb/qvo and the OVS port, the tap joins qbr',
  async (t) => {
    const host = await testHost(t);
    const opts = { netns: host.ns.name, plugin: host.ovs() };
    const qbr = 'qbr3b1f7c2e-5d';
    const vif = new objects.VIFBridge({
      id: ID,
      address: MAC,
      plugin: 'ovs',
      vif_name: TAP,
      bridge_name: qbr,
      has_traffic_filtering: true,
      network: network('br-int'),
      port_profile: profile(ID),
    });
    await attach(vif, INSTANCE, { kind: 'tap', vnetHdr: true }, opts);
    const { links, ovs } = host.state();
    t.like(links[TAP], { kind: 'tun', master: qbr, mtu: 1450, up: true });
    t.like(links['qvb3b1f7c2e-5d'], { kind: 'veth', master: qbr });
    t.deepEqual(ovs.bridges['br-int']?.ports, ['br-int', 'qvo3b1f7c2e-5d']);
    t.deepEqual(ovs.interfaces['qvo3b1f7c2e-5d']?.external_ids, ids(ID, MAC));
    await detach(vif, INSTANCE, { kind: 'tap' }, opts);
    t.deepEqual(host.state().links, {}, 'tap, qbr and the veth pair are gone');
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int']);
  },
);
