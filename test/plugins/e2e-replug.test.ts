/**
 * A re-plug of a host that is already right (an agent restart: a new plugin, a new OVSDB
 * connection) rewrites nothing, against the real kernel, ovsdb-server and ovs-vswitchd: the
 * host seams count every kernel request by kind and every OVSDB `transact` on the wire. The
 * plugs read (links, the bridge's sysctls, the replica) and write nothing; a host that is
 * wrong in one place gets exactly that one place rewritten (the counter can tell the two apart).
 */
import { OvsdbClient, VSwitch } from '../../src/ovsdb/index.js';
import { VSwitchHost } from '../../src/plugins/host/vswitch-host.js';
import { hostFactory, type LinkHost, OvsPlugin } from '../../src/plugins/index.js';
import type { OvsHostFactory } from '../../src/plugins/ovs/plugin.js';
import { objects } from '../../src/vif/index.js';
import { vsctl } from '../ovsdb/_helpers.js';
import { gatedTest, INSTANCE, net, profile, type TestHost, testHost } from './e2e-host.js';

const e2e = gatedTest('re-plug tests');

const READS = new Set(['get', 'getMany', 'exists', 'readSysctl', 'addresses', 'gatewayRoutes']);

/** What the plugin asked of the host. */
interface Counts {
  /** Kernel writes by method (`set qvo…`, `writeSysctl …`), in order. */
  writes: string[];
  /** Kernel reads (LinkHost calls; `getMany` of three links is one). */
  reads: number;
  /** `transact` requests sent to ovsdb-server (each operation list). */
  transactions: (readonly unknown[])[];
}

/** The production hosts of `host`, with every kernel call and every OVSDB transact counted. */
function countingFactory(host: TestHost, counts: Counts): OvsHostFactory {
  const real = hostFactory({ netns: host.ns.name });
  return {
    links: async () => {
      const links = await real.links();
      return new Proxy(links, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function' || prop === 'close' || typeof prop !== 'string') return v;
          return (...args: unknown[]) => {
            if (READS.has(prop)) counts.reads++;
            else counts.writes.push(`${prop} ${JSON.stringify(args)}`);
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as LinkHost;
    },
    switch: async (options) => {
      const timeoutMs = options.ovs_vsctl_timeout * 1000;
      const client = await OvsdbClient.connect(options.ovsdb_connection, { timeoutMs });
      const transact = client.transact.bind(client);
      client.transact = (db, ops, o) => {
        counts.transactions.push(ops);
        return transact(db, ops, o);
      };
      return new VSwitchHost(await VSwitch.open(client), client, timeoutMs, timeoutMs);
    },
  };
}

const HID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const PID = 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70';

const hybrid = () =>
  new objects.VIFBridge({
    id: HID,
    address: 'fa:16:3e:00:00:11',
    plugin: 'ovs',
    vif_name: `tap${HID}`.slice(0, 14),
    bridge_name: `qbr${HID}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net('br-int'),
    port_profile: profile(HID),
  } as ConstructorParameters<typeof objects.VIFBridge>[0]);

const PTAP = `tap${PID}`.slice(0, 14);
const plain = () =>
  new objects.VIFOpenVSwitch({
    id: PID,
    address: 'fa:16:3e:00:00:12',
    plugin: 'ovs',
    vif_name: PTAP,
    bridge_name: 'br-int',
    network: net('br-int'),
    port_profile: profile(PID, { create_port: true }),
  } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

e2e('an agent restart re-plugging a host that is right reads only and writes nothing', async (t) => {
  const host = await testHost(t, { vswitchd: true });
  host.ns.ip('tuntap', 'add', 'dev', PTAP, 'mode', 'tap');
  const first = host.ovs();
  await first.plug(hybrid(), INSTANCE);
  await first.plug(plain(), INSTANCE);
  await first.close();
  const before = host.state();

  const counts: Counts = { writes: [], reads: 0, transactions: [] };
  const restarted = new OvsPlugin(
    { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: 30 },
    countingFactory(host, counts),
    undefined,
    host.locks,
  );
  t.teardown(() => restarted.close());
  await restarted.plug(hybrid(), INSTANCE);
  await restarted.plug(plain(), INSTANCE);
  t.deepEqual(counts.writes, [], 'no kernel write (links, sysctls)');
  t.deepEqual(counts.transactions, [], 'no OVSDB transaction');
  t.true(counts.reads > 0 && counts.reads <= 8, `a few reads (${counts.reads})`);
  t.deepEqual(host.state(), before, 'the host is as it was');

  // the counter sees a difference: qvo down, the tap's MTU changed, the port's iface-id changed
  const qvo = `qvo${HID}`.slice(0, 14);
  host.ns.ip('link', 'set', qvo, 'down');
  host.ns.ip('link', 'set', PTAP, 'mtu', '1400');
  vsctl(host.sb.dbRemote, 'set', 'Interface', PTAP, 'external_ids:iface-status=down');
  await restarted.plug(hybrid(), INSTANCE);
  await restarted.plug(plain(), INSTANCE);
  t.deepEqual(counts.writes, [`set ["${qvo}",{"up":true}]`, `set ["${PTAP}",{"mtu":1450}]`]);
  t.is(counts.transactions.length, 1, 'one transaction, for the interface that was wrong');
  t.regex(JSON.stringify(counts.transactions[0]), /iface-status/);
  t.deepEqual(host.state(), before, 'put back as it was');
});
