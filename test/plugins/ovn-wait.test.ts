/**
 * The readiness wait's own rules, against a real ovsdb-server without OVN: the test plays
 * ovn-controller by writing `external_ids:ovn-installed` with ovs-vsctl (the witness), so the
 * order of events is under its control. A plug with `wait_for_ovn_installed` stays pending until
 * the mark is there for the VIF's own iface-id (a mark next to another iface-id does not count);
 * it resolves on the replica's update, not by polling a clock; it times out with OvnNotInstalled
 * naming the port, which stays; the hybrid wait is on `qvo…`; a VIFOpenVSwitch without
 * `create_port` does not wait; unplug resolves once the row is gone.
 */

import { OvnNotInstalled } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { sh } from '../harness/netns.js';
import { gatedTest, INSTANCE, net, profile, testHost } from './e2e-host.js';

const it = gatedTest('OVN wait tests');

function plainVif(id: string, createPort = true): objects.VIFOpenVSwitch {
  return new objects.VIFOpenVSwitch({
    id,
    address: 'fa:16:3e:11:22:33',
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    network: net('br-int'),
    port_profile: profile(id, { create_port: createPort }),
  });
}

const settled = async (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((r) => setTimeout(() => r('pending'), ms)),
  ]);

it('a plug resolves once ovn-installed is set next to its own iface-id, and not before', async (t) => {
  const host = await testHost(t);
  const vsctl = (...args: string[]) =>
    sh('ovs-vsctl', [`--db=${host.sb.dbRemote}`, '--no-wait', '--timeout=10', ...args]);
  const id = 'a0a0a0a0-1111-4222-8333-444455556666';
  const vif = plainVif(id);
  const plugin = host.ovs({ wait_for_ovn_installed: true, ovs_vsctl_timeout: 20 });
  const plugged = plugin.plug(vif, INSTANCE);
  // wait for the row, then a mark with another iface-id: still pending
  for (
    let i = 0;
    i < 200 && !vsctl('--columns=name', 'find', 'Interface', `name=${vif.vif_name}`).trim();
    i++
  )
    await new Promise((r) => setTimeout(r, 10));
  t.is(await settled(plugged, 100), 'pending', 'no mark yet');
  vsctl(
    'set',
    'Interface',
    vif.vif_name,
    'external_ids:iface-id=someone-else',
    'external_ids:ovn-installed=true',
  );
  t.is(await settled(plugged, 200), 'pending', 'a mark for another iface-id does not count');
  const marked = performance.now();
  vsctl('set', 'Interface', vif.vif_name, `external_ids:iface-id=${id}`);
  await plugged;
  t.log(`resolved ${(performance.now() - marked).toFixed(1)} ms after the mark`);
  // unplug with the wait: resolves with the row gone
  await plugin.unplug(vif, INSTANCE);
  t.is(vsctl('--columns=name', 'find', 'Interface', `name=${vif.vif_name}`).trim(), '');
});

it('no mark within the limit: OvnNotInstalled names the port and the port stays; hybrid waits on qvo; no create_port, no wait', async (t) => {
  const host = await testHost(t);
  const vsctl = (...args: string[]) =>
    sh('ovs-vsctl', [`--db=${host.sb.dbRemote}`, '--no-wait', '--timeout=10', ...args]);
  // a 3 s limit: the call's connect counts too, and a loaded machine can take a second for it
  const plugin = host.ovs({ wait_for_ovn_installed: true, ovs_vsctl_timeout: 3 });
  const id = 'b0b0b0b0-1111-4222-8333-444455556666';
  const vif = plainVif(id);
  const started = performance.now();
  const error = await t.throwsAsync(plugin.plug(vif, INSTANCE), { instanceOf: OvnNotInstalled });
  t.true(performance.now() - started < 10000, 'bounded by ovs_vsctl_timeout');
  t.like((error as OvnNotInstalled).kwargs, { vif_id: id, port: vif.vif_name, iface_id: id, timeout: 3 });
  t.regex(vsctl('get', 'Interface', vif.vif_name, 'external_ids:iface-id'), new RegExp(id), 'the port stays');

  const hid = 'c0c0c0c0-1111-4222-8333-444455556666';
  const hybrid = new objects.VIFBridge({
    id: hid,
    address: 'fa:16:3e:11:22:44',
    plugin: 'ovs',
    vif_name: `tap${hid}`.slice(0, 14),
    bridge_name: `qbr${hid}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net('br-int'),
    port_profile: profile(hid),
  });
  const herror = await t.throwsAsync(plugin.plug(hybrid, INSTANCE), { instanceOf: OvnNotInstalled });
  t.is((herror as OvnNotInstalled).kwargs.port, `qvo${hid}`.slice(0, 14));

  const nid = 'd0d0d0d0-1111-4222-8333-444455556666';
  await plugin.plug(plainVif(nid, false), INSTANCE); // creates no port: nothing to wait for
  t.pass();
});
