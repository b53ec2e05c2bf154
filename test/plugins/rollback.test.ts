/**
 * Rollback, validation-before-change and per-VIF serialization, with recording hosts so a
 * failure can be injected at an exact step. (The same faults against the real kernel and a
 * real ovsdb-server are in e2e-faults.test.ts.)
 */
import test from 'ava';
import { Locks } from '../../src/concurrency/index.js';
import { OvsPlugin } from '../../src/plugins/ovs/plugin.js';
import type { VifView } from '../../src/plugins/vif-view.js';
import { objects } from '../../src/vif/index.js';

const load = <T = objects.VersionedObject>(p: unknown): T => objects.fromPrimitive(p) as T;

import { readVector } from '../vif/vectors.js';
import { RecordingLinks, RecordingSwitch } from './recording-host.js';
import type { TraceScenario } from './trace-facts.js';

const ovsTraces: TraceScenario[] = readVector('plugin_traces/ovs.json');
const scenario = (prefix: string) => {
  const s = ovsTraces.find((x) => x.description.startsWith(prefix));
  if (!s) throw new Error(`no scenario ${prefix}`);
  return s;
};
const hybrid = scenario('VIFBridge hybrid plug, first time');
const perPort = scenario('VIFOpenVSwitch plug with per_port_bridge=True');

function plugin(links: RecordingLinks, sw: RecordingSwitch, config: Record<string, unknown> = {}) {
  // recording hosts: no lock files (the in-process per-VIF lock still serializes)
  const locks = new Locks({ disable_process_locking: true });
  return new OvsPlugin(config, { links: async () => links, switch: async () => sw }, undefined, locks);
}

test('hybrid plug: OVSDB failing at the port transaction removes the Linux bridge, the veths and the new OVS bridge', async (t) => {
  const links = new RecordingLinks();
  const sw = new RecordingSwitch();
  sw.failAt = 0; // the one OVS transaction: ensure br-int and add the qvo port
  const error = await t.throwsAsync(
    plugin(links, sw).plug(load<VifView>(hybrid.vif), load<objects.InstanceInfo>(hybrid.instance_info)),
  );
  t.is((error as { code?: string }).code, 'ECONNRESET');
  t.deepEqual([...links.devices.keys()], [], 'qbr, qvb and qvo are gone');
  t.false(sw.bridges.has('br-int'), 'the bridge this call created is gone');
});

test('hybrid plug: a bridge that existed before, or that another VIF joined, is kept on rollback', async (t) => {
  const links = new RecordingLinks();
  const sw = new RecordingSwitch();
  sw.bridges.set('br-int', new Set(['br-int', 'tap-other']));
  sw.failAt = 0;
  await t.throwsAsync(
    plugin(links, sw).plug(load<VifView>(hybrid.vif), load<objects.InstanceInfo>(hybrid.instance_info)),
  );
  t.deepEqual([...(sw.bridges.get('br-int') ?? [])], ['br-int', 'tap-other']);
});

test('per-port bridge: a failure after the one OVS transaction removes the tap port, the patch ports and the per-port bridge', async (t) => {
  const links = new RecordingLinks();
  const sw = new RecordingSwitch();
  sw.bridges.set('br-int', new Set(['br-int']));
  const vif = load<VifView>(perPort.vif);
  const tap = vif.vif_name as string;
  links.devices.set(tap, { name: tap, kind: 'tun', mtu: 1500, up: true, promisc: false });
  links.set = async () => {
    throw Object.assign(new Error('injected: setting the MTU failed'), { code: 'EPERM' });
  };
  await t.throwsAsync(
    plugin(links, sw, { per_port_bridge: true }).plug(vif, load<objects.InstanceInfo>(perPort.instance_info)),
    { message: /injected/ },
  );
  t.is(sw.transactions.length, 3, 'the plug, the removal of its ports, the removal of its bridge');
  t.deepEqual([...sw.bridges.keys()], ['br-int']);
  t.deepEqual([...(sw.bridges.get('br-int') ?? [])], ['br-int']);
});

test('a VIF without network.bridge is rejected before anything is read or written', async (t) => {
  const links = new RecordingLinks();
  const sw = new RecordingSwitch();
  const primitive = structuredClone(hybrid.vif) as {
    'versioned_object.data': { network: { 'versioned_object.data': Record<string, unknown> } };
  };
  delete primitive['versioned_object.data'].network['versioned_object.data'].bridge;
  const vif = load<VifView>(primitive);
  const error = await t.throwsAsync(
    plugin(links, sw).plug(vif, load<objects.InstanceInfo>(hybrid.instance_info)),
  );
  t.is(error?.name, 'InvalidVif');
  t.regex(error?.message ?? '', /network\.bridge/);
  t.deepEqual(sw.transactions, []);
  t.deepEqual(links.log, []);
});

test('bad option values are rejected when the plugin is created', (t) => {
  const sw = new RecordingSwitch();
  const error = t.throws(() => plugin(new RecordingLinks(), sw, { isolate_vif: 'yes' }));
  t.is(error?.name, 'InvalidConfig');
  t.regex(error?.message ?? '', /\[os_vif_ovs\] isolate_vif: must be true or false, got "yes"/);
  t.throws(() => plugin(new RecordingLinks(), sw, { no_such_option: 1 }), { message: /unknown option/ });
});

test('plug and unplug of one VIF id are serialized; different VIFs interleave', async (t) => {
  const order: string[] = [];
  const links = new RecordingLinks();
  const sw = new RecordingSwitch();
  const original = sw.transact.bind(sw);
  sw.transact = async (steps) => {
    order.push(
      steps
        .map((s) => `${s.op}:${'port' in s ? s.port : s.op === 'setMtuRequest' ? s.iface : s.bridge}`)
        .join(','),
    );
    await new Promise((r) => setTimeout(r, 5));
    return original(steps);
  };
  const p = plugin(links, sw);
  const vif = load<VifView>(hybrid.vif);
  const instance = load<objects.InstanceInfo>(hybrid.instance_info);
  await Promise.all([p.plug(vif, instance), p.unplug(vif, instance)]);
  const firstDel = order.findIndex((o) => o.startsWith('delPort'));
  const lastAdd = order.findLastIndex((o) => o.includes('addPort'));
  t.true(lastAdd >= 0 && firstDel > lastAdd, `unplug ran after plug finished: ${order.join(' | ')}`);
  t.deepEqual([...links.devices.keys()], []);
});
