/**
 * Hostile or wrong VIFs against the real kernel (a namespace) and a real ovsdb-server: every
 * name a VIF leads to is checked by the one interface-name rule before anything changes, the
 * MTU too, and a device is deleted or reconfigured only when it is what a plug of that VIF
 * makes. Each refusal is typed, and the host (links, sysctls, OVSDB rows) is exactly as before.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { OvsPlugin } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { sh } from '../harness/netns.js';
import { gatedTest, INSTANCE, net, profile, type TestHost, testHost } from './e2e-host.js';

const e2e = gatedTest('trust end-to-end tests');

const ID = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
const QBR = 'qbrd1a2b3c4-d5';
const QVB = 'qvbd1a2b3c4-d5';
const QVO = 'qvod1a2b3c4-d5';

const hybrid = (fields: Record<string, unknown> = {}, network: Record<string, unknown> = {}) =>
  new objects.VIFBridge({
    id: ID,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: 'tapd1a2b3c4-d5',
    bridge_name: QBR,
    network: net('br-int', network),
    port_profile: profile(ID),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFBridge>[0]);

const ovsVif = (vifName: string, fields: Record<string, unknown> = {}) =>
  new objects.VIFOpenVSwitch({
    id: ID,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: vifName,
    network: net('br-int'),
    port_profile: profile(ID, { create_port: true }),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);

let probes = 0;

/**
 * Everything observable: every link (lo included) with its kind, flags, MTU and master; the size
 * of ovsdb-server's append-only database file (any committed transaction grows it, even one
 * undone later); the sysctls os-vif writes for `dev`; and the ifindex the kernel hands out next
 * (a device created and deleted again in between moves it), read by creating a probe bridge.
 */
function snapshot(host: TestHost, dev?: string) {
  const probe = `probe${probes++}`;
  host.ns.ip('link', 'add', probe, 'type', 'bridge');
  const all = host.ns.links();
  const sysctl = (p: string) => host.ns.exec('cat', [`/proc/sys/net/${p}`]).stdout.trim();
  return {
    nextIndex: all.find((l) => l.ifname === probe)?.ifindex ?? -1,
    state: {
      links: all
        .filter((l) => !l.ifname.startsWith('probe'))
        .map((l) => [l.ifname, l.linkinfo?.info_kind, l.flags, l.mtu, l.master]),
      db: statSync(path.join(host.sb.dir, 'conf.db')).size,
      sysctls: dev
        ? [
            `ipv6/conf/${dev}/disable_ipv6`,
            `ipv4/conf/${dev}/arp_ignore`,
            `ipv4/conf/${dev}/arp_announce`,
          ].map(sysctl)
        : [],
    },
  };
}

/** Runs `calls`; the host must look exactly as before, and no device may have come and gone. */
async function unchanged(
  t: import('ava').ExecutionContext,
  host: TestHost,
  calls: () => Promise<void>,
  dev?: string,
): Promise<void> {
  const before = snapshot(host, dev);
  await calls();
  const after = snapshot(host, dev);
  t.deepEqual(after.state, before.state, 'nothing on the host changed');
  t.is(
    after.nextIndex,
    before.nextIndex + 1,
    'no device was created in between (not even one deleted again)',
  );
}

/** One call that must fail with `name` and `message`, leaving the host unchanged. */
async function refused(
  t: import('ava').ExecutionContext,
  host: TestHost,
  call: () => Promise<unknown>,
  name: string,
  message: RegExp,
  dev?: string,
): Promise<void> {
  await unchanged(t, host, () => rejects(t, call, name, message), dev);
}

async function rejects(
  t: import('ava').ExecutionContext,
  call: () => Promise<unknown>,
  name: string,
  message: RegExp,
): Promise<void> {
  const error = await t.throwsAsync(call());
  t.is(error?.name, name, error?.message);
  t.regex(error?.message ?? '', message);
}

e2e('hostile names are refused with InvalidVif before anything reaches the kernel or OVSDB', async (t) => {
  const host = await testHost(t);
  const ovs = host.ovs();
  const cases: [string, objects.VIFBase, RegExp][] = [
    ['path traversal', ovsVif('../x'), /vif_name "\.\.\/x" must not contain '\/'/],
    ['slash', ovsVif('a/b'), /must not contain '\/'/],
    ['dot-dot', ovsVif('..'), /must not be '\.' or '\.\.'/],
    ['newline', ovsVif('tap\nx'), /whitespace, NUL or control/],
    ['space', ovsVif('tap x'), /whitespace/],
    ['colon', ovsVif('tap:1'), /must not contain ':'/],
    ['16 bytes', ovsVif('tap0123456789abc'), /1 to 15 bytes/],
    ['15 ASCII but 16 UTF-8 bytes', ovsVif('tapé0123456789a'), /1 to 15 bytes/],
    ['lone surrogate (no UTF-8 form)', ovsVif('tap\ud800'), /valid Unicode/],
    ['NUL', ovsVif('tap\0x'), /NUL/],
    ['a byte the kernel reads as space (à = c3 a0)', ovsVif('tapà'), /0xa0/],
    ['control character', ovsVif('tap\x01'), /control/],
    ['OVS bridge', ovsVif('tapok', { network: net('br\0int') }), /network\.bridge/],
    ['hybrid bridge', hybrid({ bridge_name: 'qbr/../../x' }), /bridge_name/],
    ['hybrid bridge, lone surrogate', hybrid({ bridge_name: 'qbr\udc00' }), /bridge_name.*valid Unicode/],
    ['id in urn form (qbrurn:uuid:…)', hybrid({ id: `urn:uuid:${ID}` }), /id \(as the qbr device name\)/],
  ];
  await ovs.plug(hybrid(), INSTANCE); // a plugged VIF: an unplug has something to delete
  await unchanged(t, host, async () => {
    for (const [what, vif, message] of cases) {
      await rejects(t, () => ovs.plug(vif, INSTANCE), 'InvalidVif', message);
      await rejects(t, () => ovs.unplug(vif, INSTANCE), 'InvalidVif', message);
      t.log(`refused: ${what}`);
    }
  });
});

e2e(
  'a name the kernel accepts but the old sysctl check refused (qbr+x) plugs, sysctls written',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    await ovs.plug(hybrid({ bridge_name: 'qbr+x' }), INSTANCE);
    t.is(host.state().links['qbr+x']?.kind, 'bridge');
    t.is(host.ns.exec('cat', ['/proc/sys/net/ipv6/conf/qbr+x/disable_ipv6']).stdout.trim(), '1');
    t.is(host.ns.exec('cat', ['/proc/sys/net/ipv4/conf/qbr+x/arp_announce']).stdout.trim(), '2');
    await ovs.unplug(hybrid({ bridge_name: 'qbr+x' }), INSTANCE);
    t.deepEqual(host.state().links, {});
  },
);

e2e(
  'an MTU out of range is refused before anything changes, in plug and unplug; 0 means the default',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    await unchanged(t, host, async () => {
      for (const mtu of [-1, 67, 65536, 1_000_000]) {
        await rejects(t, () => ovs.plug(hybrid({}, { mtu }), INSTANCE), 'InvalidVif', /network\.mtu/);
        await rejects(t, () => ovs.unplug(hybrid({}, { mtu }), INSTANCE), 'InvalidVif', /network\.mtu/);
      }
    });
    const lb = host.linuxBridge();
    const lbVif = hybrid(
      { plugin: 'linux_bridge', bridge_name: 'brqx' },
      { should_provide_bridge: true, mtu: -1 },
    );
    await refused(t, host, () => lb.plug(lbVif, INSTANCE), 'InvalidVif', /network\.mtu/);
    await ovs.plug(hybrid({}, { mtu: 0 }), INSTANCE);
    t.is(host.state().links[QVO]?.mtu, 1500, 'network.mtu 0 falls back to network_device_mtu');
  },
);

e2e(
  'unplug deletes only devices a plug would have made: a VIF naming lo or a bridge as its tap changes nothing',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    await ovs.plug(ovsVif('tapd1a2b3c4-d5', { port_profile: profile(ID, { create_port: false }) }), INSTANCE);
    // the port os-vif would delete exists, so an unplug that did not check would delete both
    sh('ovs-vsctl', [`--db=${host.sb.dbRemote}`, '--no-wait', 'add-port', 'br-int', 'lo']);
    await refused(
      t,
      host,
      () => ovs.unplug(ovsVif('lo'), INSTANCE),
      'UnexpectedDevice',
      /device lo is of kind a device without a kind .*, not a tap or veth/,
    );
    host.ns.ip('link', 'add', 'uplink0', 'type', 'bridge');
    sh('ovs-vsctl', [`--db=${host.sb.dbRemote}`, '--no-wait', 'add-port', 'br-int', 'uplink0']);
    await refused(
      t,
      host,
      () => ovs.unplug(ovsVif('uplink0'), INSTANCE),
      'UnexpectedDevice',
      /uplink0 is of kind bridge/,
    );
    await refused(
      t,
      host,
      () => ovs.plug(ovsVif('uplink0'), INSTANCE),
      'UnexpectedDevice',
      /uplink0 is of kind bridge/,
      'uplink0',
    );
    // a real tap is what an OVS port's netdev is: deleted as os-vif does
    host.ns.ip('tuntap', 'add', 'dev', 'tapd1a2b3c4-d5', 'mode', 'tap');
    await ovs.plug(ovsVif('tapd1a2b3c4-d5'), INSTANCE);
    await ovs.unplug(ovsVif('tapd1a2b3c4-d5'), INSTANCE);
    t.is(host.ns.link('tapd1a2b3c4-d5'), undefined);
    t.truthy(host.ns.link('uplink0'));
  },
);

e2e(
  'hybrid: a bridge_name naming a foreign veth, or a qvo with a foreign peer, is refused in plug and unplug; nothing changes',
  async (t) => {
    const host = await testHost(t);
    const ovs = host.ovs();
    host.ns.ip('link', 'add', 'victim0', 'type', 'veth', 'peer', 'name', 'victim1');
    const vif = hybrid({ bridge_name: 'victim0' });
    await refused(
      t,
      host,
      () => ovs.plug(vif, INSTANCE),
      'UnexpectedDevice',
      /victim0 is of kind veth, not a Linux bridge/,
      'victim0',
    );
    // plugged for real, then the unplug of a VIF whose bridge_name names the veth: the OVS port stays
    await ovs.plug(hybrid(), INSTANCE);
    await refused(t, host, () => ovs.unplug(vif, INSTANCE), 'UnexpectedDevice', /victim0 is of kind veth/);
    t.truthy(host.state().ovs.ports[QVO], 'the OVS port is still there');
    await ovs.unplug(hybrid(), INSTANCE);

    // qvo is a veth, but its peer is not qvb: not this VIF's pair
    host.ns.ip('link', 'add', QVO, 'type', 'veth', 'peer', 'name', 'other-peer');
    await refused(
      t,
      host,
      () => ovs.plug(hybrid(), INSTANCE),
      'UnexpectedDevice',
      new RegExp(`${QVO} is a veth whose peer is other-peer, not a veth whose peer is ${QVB}`),
    );
    await refused(
      t,
      host,
      () => ovs.unplug(hybrid(), INSTANCE),
      'UnexpectedDevice',
      /whose peer is other-peer/,
    );
  },
);

e2e(
  'linux_bridge: an existing non-bridge named as the bridge, or a bad interface option, is refused',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'brqveth', 'type', 'veth', 'peer', 'name', 'brqpeer');
    const vif = hybrid(
      { plugin: 'linux_bridge', bridge_name: 'brqveth' },
      { should_provide_bridge: true, bridge_interface: null },
    );
    await refused(
      t,
      host,
      () => host.linuxBridge().plug(vif, INSTANCE),
      'UnexpectedDevice',
      /brqveth is of kind veth, not a Linux bridge/,
      'brqveth',
    );
    const bad = hybrid(
      { plugin: 'linux_bridge', bridge_name: 'brqok' },
      { should_provide_bridge: true, bridge_interface: 'eth0/../x' },
    );
    await refused(t, host, () => host.linuxBridge().plug(bad, INSTANCE), 'InvalidVif', /bridge_interface/);
    t.throws(() => host.linuxBridge({ flat_interface: 'a b' }), {
      name: 'InvalidConfig',
      message: /\[os_vif_linux_bridge\] flat_interface: "a b"/,
    });
  },
);

e2e('ovsdb_connection that cannot be parsed is InvalidConfig when the plugin is built', (t) => {
  for (const remote of ['bogus:x', 'tcp:nohost', 'unix:', '']) {
    t.throws(() => new OvsPlugin({ ovsdb_connection: remote }, { links: never, switch: never }), {
      name: 'InvalidConfig',
      message: /\[os_vif_ovs\] ovsdb_connection/,
    });
  }
});

function never(): never {
  throw new Error('the plugin must not reach the host');
}
