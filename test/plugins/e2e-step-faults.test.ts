/**
 * A plug failing at every step in turn, against the real kernel and a real ovsdb-server: the
 * host seam is wrapped (fault-host.ts) so that host call k throws, for every k from the first
 * call to the last of a complete plug (every call that writes; with OS_VIF_SOAK=1 the reads
 * too). After each failure the namespace's links, addresses and routes and the OVS rows, read
 * with `ip` and `ovs-vsctl`, equal what they were before the plug, and the next plug (no fault) succeeds and gives the same host as a plug that never
 * failed. Paths: linux_bridge onto an uplink NIC holding addresses and gateway routes; ovs with
 * a port on br-int; ovs hybrid (qbr, veth pair, OVS port); ovs per-port bridge with patch ports.
 */
import type { ExecutionContext } from 'ava';
import { hostFactory, LinuxBridgePlugin, OvsPlugin } from '../../src/plugins/index.js';
import type { LinuxBridgeHostFactory } from '../../src/plugins/linux-bridge/plugin.js';
import type { OvsHostFactory } from '../../src/plugins/ovs/plugin.js';
import { objects } from '../../src/vif/index.js';
import { type TestNetns, trySh } from '../harness/netns.js';
import { gatedTest, INSTANCE, net, profile, type TestHost, testHost } from './e2e-host.js';
import { faultyFactory, InjectedFault, StepInjector } from './fault-host.js';
import { linkState, ovsState } from './witness.js';

const e2e = gatedTest('step fault injection tests');
/**
 * With OS_VIF_SOAK=1 every host call is failed in turn, each round followed by a plug without
 * a fault; by default every call that writes, the rounds chained (see {@link everyStep}).
 */
const SOAK = process.env.OS_VIF_SOAK === '1';
const READS = /^(links\.(get|exists|addresses|gatewayRoutes)|switch\.(hasColumn|bridgePorts))\(/;

/** Links, IPv4 addresses and main-table IPv4 routes of the namespace; OVS rows when `remote` is given. */
function snapshot(ns: TestNetns, remote?: string) {
  const json = (...args: string[]) => {
    const r = trySh('ip', ['-n', ns.name, '-j', ...args]);
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout || '[]') as Array<Record<string, unknown>>;
  };
  const addresses = json('-4', 'addr', 'show')
    .flatMap((l) =>
      (l.addr_info as Array<Record<string, unknown>>).map(
        (a) => `${l.ifname} ${a.local}/${a.prefixlen} ${a.scope}${a.dynamic ? ' dynamic' : ''}`,
      ),
    )
    .sort();
  const routes = json('-4', 'route', 'show', 'table', 'main')
    .map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`)
    .sort();
  return {
    links: linkState(ns.links()),
    addresses,
    routes,
    ...(remote ? { ovs: ovsState(remote) } : {}),
  };
}

interface Case {
  /** Builds the plugin over `factory` on `host`. */
  plugin(host: TestHost, factory: OvsHostFactory & LinuxBridgeHostFactory): LinuxBridgePlugin | OvsPlugin;
  vif: objects.VIFBase;
  /** Runs after a successful plug so the next round starts from the first state again. */
  reset(host: TestHost, plugin: LinuxBridgePlugin | OvsPlugin): Promise<void>;
  /** Prepares the host before the first snapshot. */
  setup?(host: TestHost): void;
  ovs: boolean;
}

/**
 * Runs a plug once to count its host calls (N), then for each k: arm the fault at k, plug (it
 * must fail with the fault injected at step k, so the steps before it all went through), and
 * compare the host with the first snapshot. With OS_VIF_SOAK=1 each round then plugs again
 * without a fault, compares with the reference plugged state and resets; by default the next
 * round's plug is that next plug (it starts from the first state, the one a plug succeeded
 * from, and must get as far as its own step k+1), and one plug without a fault ends the test.
 */
async function everyStep(t: ExecutionContext, c: Case): Promise<void> {
  const host = await testHost(t);
  c.setup?.(host);
  const injector = new StepInjector();
  const factory = faultyFactory(hostFactory({ netns: host.ns.name }), injector);
  const plugin = c.plugin(host, factory);
  t.teardown(() => plugin.close());
  const reset = async () => {
    await c.reset(host, plugin);
    // the plugin's replica sees the reset's out-of-band writes before the next round
    for (const sw of factory.switches) await sw.bridgePorts('br-int');
  };
  const remote = c.ovs ? host.sb.dbRemote : undefined;
  const clean = snapshot(host.ns, remote);

  injector.arm();
  await plugin.plug(c.vif, INSTANCE);
  const steps = [...injector.calls];
  const plugged = snapshot(host.ns, remote);
  t.notDeepEqual(plugged, clean, 'the plug changed the host');
  await reset();
  t.deepEqual(snapshot(host.ns, remote), clean, 'reset restores the first state');
  t.log(`${steps.length} host calls: ${steps.join(' | ')}`);
  t.true(steps.length > 0);

  const ks = steps.flatMap((call, k) => (SOAK || !READS.test(call) ? [k] : []));
  for (const k of ks) {
    injector.arm(k);
    const error = await t.throwsAsync(plugin.plug(c.vif, INSTANCE), undefined, `step ${k}: ${steps[k]}`);
    t.true(
      error instanceof InjectedFault && error.step === k,
      `the plug reached step ${k} and failed there (${String(error)})`,
    );
    t.deepEqual(snapshot(host.ns, remote), clean, `fault at step ${k} (${steps[k]}) leaves nothing behind`);
    if (!SOAK) continue;
    injector.arm();
    await plugin.plug(c.vif, INSTANCE);
    t.deepEqual(snapshot(host.ns, remote), plugged, `after a fault at step ${k} the next plug succeeds`);
    await reset();
  }
  injector.arm();
  await plugin.plug(c.vif, INSTANCE);
  t.deepEqual(snapshot(host.ns, remote), plugged, 'after the last fault the next plug succeeds');
}

const LB_VIF = new objects.VIFBridge({
  id: '7a9b8c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  address: 'fa:16:3e:7c:2a:0b',
  plugin: 'linux_bridge',
  vif_name: 'tap7a9b8c6d-5e',
  bridge_name: 'brq7a9b8c6d-5e',
  has_traffic_filtering: true,
  network: net('brq7a9b8c6d-5e', { should_provide_bridge: true, bridge_interface: 'eth-nic', mtu: 1400 }),
});

/** An uplink NIC as a compute host has one: permanent and dynamic addresses, gateway routes. */
function uplink(host: TestHost): void {
  host.ns.ip('link', 'add', 'eth-nic', 'type', 'veth', 'peer', 'name', 'eth-far');
  host.ns.ip('link', 'set', 'eth-nic', 'up');
  host.ns.ip('link', 'set', 'eth-far', 'up');
  host.ns.ip('addr', 'add', '10.99.5.10/24', 'dev', 'eth-nic');
  host.ns.ip('addr', 'add', '10.99.4.12/24', 'dev', 'eth-nic', 'valid_lft', '300', 'preferred_lft', '300');
  host.ns.ip('route', 'add', '10.99.6.0/24', 'via', '10.99.5.1');
  host.ns.ip('route', 'add', 'default', 'via', '10.99.5.1');
}

e2e(
  'linux_bridge onto an uplink with addresses and routes: a fault at every step leaves nothing behind',
  (t) =>
    everyStep(t, {
      ovs: false,
      setup: uplink,
      vif: LB_VIF,
      plugin: (_host, factory) => new LinuxBridgePlugin({}, factory),
      // unplug is a no-op in os-vif: put the uplink back by hand
      async reset(host) {
        host.ns.ip('link', 'del', 'brq7a9b8c6d-5e');
        host.ns.ip('link', 'set', 'eth-nic', 'mtu', '1500');
        host.ns.ip('addr', 'add', '10.99.5.10/24', 'dev', 'eth-nic');
        host.ns.ip('route', 'add', '10.99.6.0/24', 'via', '10.99.5.1');
        host.ns.ip('route', 'add', 'default', 'via', '10.99.5.1');
      },
    }),
);

const OVS_ID = 'c0a1b2c3-d4e5-4f60-8172-a3b4c5d6e7f8';

/** The ovs plugin without ovs-vswitchd (rows and kernel links are what is checked). */
const ovsPlugin =
  (options: Record<string, unknown> = {}) =>
  (host: TestHost, factory: OvsHostFactory) =>
    new OvsPlugin(
      { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: 10, wait_for_vswitchd: false, ...options },
      factory,
    );

/** Unplug, then remove br-int (which a plug creates and an unplug keeps, as in os-vif). */
async function unplugAndDropBridges(
  host: TestHost,
  plugin: LinuxBridgePlugin | OvsPlugin,
  vif: objects.VIFBase,
) {
  await plugin.unplug(vif, INSTANCE);
  trySh('ovs-vsctl', [`--db=${host.sb.dbRemote}`, '--no-wait', '--if-exists', 'del-br', 'br-int']);
}

const ovsVif = new objects.VIFOpenVSwitch({
  id: OVS_ID,
  address: 'fa:16:3e:7c:2a:01',
  plugin: 'ovs',
  vif_name: 'tapc0a1b2c3-d4',
  network: net('br-int'),
  port_profile: profile(OVS_ID, { create_port: true }),
} as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

e2e('ovs port on a new br-int (tap present): a fault at every step leaves nothing behind', (t) =>
  everyStep(t, {
    ovs: true,
    // the tap as libvirt would have made it; the plug sets its MTU
    setup: (host) => host.ns.ip('tuntap', 'add', 'dev', 'tapc0a1b2c3-d4', 'mode', 'tap'),
    vif: ovsVif,
    plugin: ovsPlugin(),
    async reset(host, plugin) {
      await unplugAndDropBridges(host, plugin, ovsVif);
      // unplug deletes the tap (os-vif's delete_ovs_vif_port); make it again
      host.ns.ip('tuntap', 'add', 'dev', 'tapc0a1b2c3-d4', 'mode', 'tap');
    },
  }),
);

const HYBRID_ID = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
const hybridVif = new objects.VIFBridge({
  id: HYBRID_ID,
  address: 'fa:16:3e:7c:2a:02',
  plugin: 'ovs',
  vif_name: 'tapd1a2b3c4-d5',
  bridge_name: 'qbrd1a2b3c4-d5',
  network: net('br-int'),
  port_profile: profile(HYBRID_ID),
});

e2e('ovs hybrid (qbr, veth pair, OVS port, new br-int): a fault at every step leaves nothing behind', (t) =>
  everyStep(t, {
    ovs: true,
    vif: hybridVif,
    plugin: ovsPlugin(),
    reset: (host, plugin) => unplugAndDropBridges(host, plugin, hybridVif),
  }),
);

const perPortVif = new objects.VIFOpenVSwitch({
  id: OVS_ID,
  address: 'fa:16:3e:7c:2a:03',
  plugin: 'ovs',
  vif_name: 'tapc0a1b2c3-d4',
  network: net('br-int'),
  port_profile: profile(OVS_ID),
} as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

e2e('ovs per-port bridge with patch ports: a fault at every step leaves nothing behind', (t) =>
  everyStep(t, {
    ovs: true,
    vif: perPortVif,
    plugin: ovsPlugin({ per_port_bridge: true }),
    reset: (host, plugin) => unplugAndDropBridges(host, plugin, perPortVif),
  }),
);
