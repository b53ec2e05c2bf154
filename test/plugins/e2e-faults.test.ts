/**
 * Faults against the real kernel and a real ovsdb-server: a name collision with a foreign
 * device, ovsdb-server stopped in the middle of a plug, a VIF the plugin must refuse. Each ends
 * with a typed error and nothing of that call left on the host.
 */
import test from 'ava';
import { OvsdbConnectionError } from '../../src/ovsdb/index.js';
import { objects } from '../../src/vif/index.js';
import { sh } from '../harness/netns.js';
import { INSTANCE, net, profile, skipReason, testHost } from './e2e-host.js';

const e2e = skipReason ? test.skip : test;

const hybridVif = (id: string) =>
  new objects.VIFBridge({
    id,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    network: net('br-int'),
    port_profile: profile(id),
  });
const ID1 = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
const ID2 = 'e2b3c4d5-e6f7-4081-92a3-b4c5d6e7f809';

e2e(
  'name collision: the hybrid bridge name is taken by a foreign veth; typed error, the foreign device untouched, nothing else left',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'qbrd1a2b3c4-d5', 'type', 'veth', 'peer', 'name', 'foreign-peer');
    const before = host.state();
    const error = await t.throwsAsync(host.ovs().plug(hybridVif(ID1), INSTANCE));
    t.is(error?.name, 'UnexpectedDevice');
    t.regex(error?.message ?? '', /qbrd1a2b3c4-d5 is of kind veth, not a Linux bridge; nothing was changed/);
    const after = host.state();
    t.deepEqual(after.links, before.links, 'the foreign veth untouched, no qvb/qvo made');
    t.deepEqual(after.ovs.bridges, {}, 'no OVS bridge made');
  },
);

e2e(
  'ovsdb-server stopped mid-plug: the OVSDB error surfaces, the Linux half of the hybrid plug is rolled back; plugs work again after a restart',
  async (t) => {
    const host = await testHost(t);
    // the limit bounds a whole call: the plug right after the restart includes the reconnection
    const ovs = host.ovs({ ovs_vsctl_timeout: 6 });
    await ovs.plug(hybridVif(ID1), INSTANCE);
    const withOne = host.state().links;
    await host.sb.stopServer();
    const error = await t.throwsAsync(ovs.plug(hybridVif(ID2), INSTANCE));
    // the connection is gone: reported as such, or as the call's time limit running out
    t.true(error instanceof OvsdbConnectionError, error?.name);
    t.log(`${error?.name}: ${error?.message}`);
    t.deepEqual(
      Object.keys(linksOnly(host)).sort(),
      Object.keys(withOne).sort(),
      'no qbr/qvb/qvo of the second VIF',
    );
    await host.sb.startServer();
    await ovs.plug(hybridVif(ID2), INSTANCE);
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int', 'qvod1a2b3c4-d5', 'qvoe2b3c4d5-e6']);
  },
);

function linksOnly(host: { ns: { links(): { ifname: string }[] } }): Record<string, true> {
  return Object.fromEntries(
    host.ns
      .links()
      .filter((l) => l.ifname !== 'lo')
      .map((l) => [l.ifname, true]),
  );
}

e2e(
  'a VIF with a non-OVS port profile is refused with WrongPortProfile before anything changes',
  async (t) => {
    const host = await testHost(t);
    const vif = hybridVif(ID1);
    vif.port_profile = new objects.VIFPortProfileFPTap({
      mac_address: 'fa:16:3e:7c:2a:02',
    } as ConstructorParameters<typeof objects.VIFPortProfileFPTap>[0]);
    const error = await t.throwsAsync(host.ovs().plug(vif, INSTANCE));
    t.is(error?.name, 'WrongPortProfile');
    t.is(error?.message, 'Port profile VIFPortProfileFPTap is not a subclass of VIFPortProfileOpenVSwitch');
    t.deepEqual(host.state().links, {});
    t.deepEqual(host.state().ovs.bridges, {});
  },
);

e2e(
  "rollback keeps a bridge another client created a moment before the plug (the journal holds what the plug's own transaction created)",
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs({ per_port_bridge: true });
    const ovsVif = (id: string, bridge: string, vifName: string) =>
      new objects.VIFOpenVSwitch({
        id,
        address: 'fa:16:3e:7c:2a:02',
        plugin: 'ovs',
        vif_name: vifName,
        network: net(bridge),
        port_profile: profile(id),
      } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);
    await ovs.plug(ovsVif(ID1, 'br-first', 'tapfirst'), INSTANCE); // the plugin's replica is open
    // another client, in one transaction: br-int, and a port named as ID2's per-port bridge, so
    // the plug of ID2 fails after ensuring br-int (its second transaction). spawnSync blocks this
    // event loop, so the plugin has not read the update yet.
    sh('ovs-vsctl', [
      `--db=${host.sb.dbRemote}`,
      '--no-wait',
      'add-br',
      'br-int',
      '--',
      'add-port',
      'br-first',
      'pbe2b3c4d5-e6f',
    ]);
    const error = await t.throwsAsync(ovs.plug(ovsVif(ID2, 'br-int', 'tape2b3c4d5-e6'), INSTANCE));
    t.is(error?.name, 'VSwitchError');
    t.regex(error?.message ?? '', /a port of that name exists/);
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int'], "the other client's bridge is kept");
  },
);
