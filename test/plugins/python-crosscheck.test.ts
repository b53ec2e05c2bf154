/**
 * The same VIF plugged (then unplugged) by Python os-vif 3.0.0 in one sandbox and by this
 * library in another must leave the same host state: kernel links (kind, MTU, up, master) and
 * the OVS Bridge/Port/Interface columns the plugins write. The one deliberate difference, the
 * hybrid veth promiscuous flag, is not part of the compared state (see docs/plugins.md).
 * Skipped cleanly where python3-os-vif is not installed.
 */
import { objects } from '../../src/vif/index.js';
import { hasPythonOsVif, runPythonOsVif } from '../harness/pyosvif.js';
import { gatedTest, INSTANCE, net, profile, skipReason, type TestHost, testHost } from './e2e-host.js';

const reason = skipReason ?? (hasPythonOsVif ? undefined : 'needs python3-os-vif (/usr/bin/python3)');
const check = gatedTest('Python os-vif cross-checks', reason);

const ID = 'b679325f-ca89-4ee0-a8be-6db1409b69ea';
const TAP = 'tapb679325f-ca';

interface Scenario {
  title: string;
  vif: () => objects.VIFBase;
  ovs?: Record<string, unknown>;
  lb?: Record<string, unknown>;
  setup?: (host: TestHost) => void;
}

const ovsVif =
  (fields: Record<string, unknown> = {}) =>
  () =>
    new objects.VIFOpenVSwitch({
      id: ID,
      address: 'fa:16:3e:7c:2a:01',
      plugin: 'ovs',
      vif_name: TAP,
      bridge_name: 'br-int',
      network: net('br-int'),
      port_profile: profile(ID, { create_port: true }),
      ...fields,
    } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

const withTap = (host: TestHost) => host.ns.ip('tuntap', 'add', 'dev', TAP, 'mode', 'tap');

const SCENARIOS: Scenario[] = [
  { title: 'VIFOpenVSwitch create_port, tap present, netdev datapath', vif: ovsVif(), setup: withTap },
  {
    title: 'VIFOpenVSwitch create_port with isolate_vif',
    vif: ovsVif(),
    ovs: { isolate_vif: true },
    setup: withTap,
  },
  {
    title: 'VIFOpenVSwitch without create_port (datapath_type unset)',
    vif: ovsVif({ port_profile: profile(ID, { datapath_type: null }) }),
  },
  {
    title: 'VIFOpenVSwitch with per_port_bridge and isolate_vif',
    vif: ovsVif(),
    ovs: { per_port_bridge: true, isolate_vif: true },
    setup: withTap,
  },
  {
    title: 'VIFBridge hybrid plug',
    vif: () =>
      new objects.VIFBridge({
        id: ID,
        address: 'fa:16:3e:7c:2a:02',
        plugin: 'ovs',
        vif_name: TAP,
        bridge_name: 'qbrb679325f-ca',
        network: net('br-int'),
        port_profile: profile(ID),
      }),
  },
  ...(['client', 'server'] as const).map((mode) => ({
    title: `VIFVHostUser ${mode} mode`,
    vif: () =>
      new objects.VIFVHostUser({
        id: ID,
        address: 'fa:16:3e:7c:2a:04',
        plugin: 'ovs',
        mode,
        path: '/var/run/openvswitch/vhub679325f-ca',
        vif_name: 'vhub679325f-ca',
        network: net('br-int'),
        port_profile: profile(ID, { datapath_type: null }),
      }),
  })),
  {
    title: 'linux_bridge flat network with a NIC holding an address and a gateway route',
    vif: () =>
      new objects.VIFBridge({
        id: ID,
        address: 'fa:16:3e:7c:2a:0b',
        plugin: 'linux_bridge',
        vif_name: TAP,
        bridge_name: 'brqb679325f-ca',
        has_traffic_filtering: true,
        network: net('brqb679325f-ca', {
          should_provide_bridge: true,
          bridge_interface: 'eth-nic',
          mtu: 1400,
        }),
      }),
    setup: (host) => {
      host.ns.ip('link', 'add', 'eth-nic', 'type', 'veth', 'peer', 'name', 'eth-far');
      host.ns.ip('link', 'set', 'eth-nic', 'up');
      // With the far end down, `ip route show` prints 'linkdown', which os-vif 3.0.0 feeds back to
      // `ip route del` and crashes on; this library reads routes over netlink and has no such case.
      host.ns.ip('link', 'set', 'eth-far', 'up');
      host.ns.ip('addr', 'add', '10.99.5.10/24', 'dev', 'eth-nic');
      host.ns.ip('route', 'add', '10.99.6.0/24', 'via', '10.99.5.1');
    },
  },
];

/** Kernel links without the taps ovs-vswitchd makes for bridges (named as the OVS bridges). */
function withoutVswitchdTaps(state: ReturnType<TestHost['state']>): ReturnType<TestHost['state']>['links'] {
  const bridges = new Set(Object.keys(state.ovs.bridges));
  return Object.fromEntries(
    Object.entries(state.links).filter(([name, l]) => !(bridges.has(name) && l.kind === 'tun')),
  );
}

function l3(host: TestHost): string[] {
  const addrs = JSON.parse(host.ns.ip('-j', '-4', 'addr', 'show')) as {
    ifname: string;
    addr_info: { local: string; prefixlen: number }[];
  }[];
  const routes = JSON.parse(host.ns.ip('-j', 'route', 'show')) as {
    dst: string;
    gateway?: string;
    dev: string;
  }[];
  return [
    ...addrs.flatMap((a) => a.addr_info.map((x) => `addr ${x.local}/${x.prefixlen} ${a.ifname}`)),
    ...routes.filter((r) => r.gateway).map((r) => `route ${r.dst} via ${r.gateway} dev ${r.dev}`),
  ].sort();
}

// serial: Python runs through spawnSync, which blocks the event loop for seconds; a plug of a
// concurrent test would see its call's time limit (which bounds the whole call) run out meanwhile
for (const s of SCENARIOS) {
  check.serial(`Python os-vif and this library leave the same host state: ${s.title}`, async (t) => {
    // ovsdbapp waits for ovs-vswitchd to apply each change, so both hosts run one.
    const [py, ts] = [await testHost(t, { vswitchd: true }), await testHost(t, { vswitchd: true })];
    s.setup?.(py);
    s.setup?.(ts);
    const vif = s.vif();
    const plugin = vif.plugin === 'ovs' ? ts.ovs(s.ovs) : ts.linuxBridge(s.lb);
    const config = {
      os_vif_ovs: { ovsdb_connection: py.sb.dbRemote, ...s.ovs },
      os_vif_linux_bridge: { ...s.lb },
    };
    const request = { vif: vif.toPrimitive(), instance_info: INSTANCE.toPrimitive(), config };
    for (const action of ['plug', 'unplug'] as const) {
      t.deepEqual(runPythonOsVif(py.ns.name, { action, ...request }), { ok: true }, `Python ${action}`);
      await (action === 'plug' ? plugin.plug(vif, INSTANCE) : plugin.unplug(vif, INSTANCE));
      const [a, b] = [py.state(), ts.state()];
      t.deepEqual(withoutVswitchdTaps(b), withoutVswitchdTaps(a), `kernel links after ${action}`);
      t.deepEqual(b.ovs, a.ovs, `OVS rows after ${action}`);
      t.deepEqual(l3(ts), l3(py), `addresses and gateway routes after ${action}`);
    }
  });
}
