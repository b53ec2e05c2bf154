/**
 * `plugAll` / `unplugAll` through the facade against a real host: a namespace, a private
 * ovsdb-server and ovs-vswitchd (userspace datapath), the built-in plugins bound to the namespace.
 * A batch of 20 with two bad VIFs: 18 plugged (links, masters, MTUs, OVS rows, `ofport`
 * checked with `ip` and `ovs-vsctl`), two typed errors, nothing of the bad ones on the host;
 * then unplugged back to the bare bridge.
 */
import { pluginClasses } from '../../src/plugins/index.js';
import * as osvif from '../../src/vif/index.js';
import { sh } from '../harness/netns.js';
import { gatedTest, INSTANCE, ids, net, profile, type TestHost, testHost } from './e2e-host.js';
import { ovsList } from './witness.js';

const e2e = gatedTest('batch end-to-end tests');

/** VIF n's id: its first 11 characters (the device names' part) differ from every other's. */
const idOf = (n: number) => `${(0xba700000 + n).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
const macOf = (n: number) => `fa:16:3e:7c:2b:${n.toString(16).padStart(2, '0')}`;

/** A hybrid VIF (qbr, qvb/qvo veth, qvo on br-int). */
function hybrid(n: number): osvif.objects.VIFBridge {
  const id = idOf(n);
  return new osvif.objects.VIFBridge({
    id,
    address: macOf(n),
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net('br-int'),
    port_profile: profile(id),
  });
}

/** A plain OVS port on br-int for a tap the hypervisor made (`tapbt<n>`). */
function plain(n: number): osvif.objects.VIFOpenVSwitch {
  const id = idOf(n);
  return new osvif.objects.VIFOpenVSwitch({
    id,
    address: macOf(n),
    plugin: 'ovs',
    vif_name: `tapbt${n}`,
    bridge_name: 'br-int',
    network: net('br-int'),
    port_profile: profile(id, { create_port: true }),
  } as ConstructorParameters<typeof osvif.objects.VIFOpenVSwitch>[0]);
}

async function initialize(host: TestHost): Promise<void> {
  await osvif.reset();
  await osvif.initialize({
    discover: false,
    builtins: false,
    plugins: pluginClasses({ netns: host.ns.name }),
    config: {
      os_vif_ovs: { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: 30 },
      oslo_concurrency: { lock_path: host.lockPath },
    },
  });
}

const vsctl = (host: TestHost, ...args: string[]) =>
  sh('ovs-vsctl', ['--no-wait', `--db=${host.sb.dbRemote}`, ...args]).trim();

e2e.serial(
  'plugAll of 20 VIFs with 2 bad ones: 18 on the host, 2 typed errors, results in input order; unplugAll cleans up',
  async (t) => {
    const host = await testHost(t, { vswitchd: true });
    await initialize(host);
    t.teardown(() => osvif.reset());
    const vifs: osvif.objects.VIFBase[] = [];
    for (let n = 0; n < 20; n++) {
      const v = n % 2 === 0 ? hybrid(n) : plain(n);
      if (n % 2 === 1) host.ns.ip('tuntap', 'add', 'dev', `tapbt${n}`, 'mode', 'tap');
      vifs.push(v);
    }
    // 5: a plugin nobody loaded (refused by the facade); 12: a port profile the ovs plugin refuses
    (vifs[5] as osvif.objects.VIFBase).plugin = 'nosuch';
    (vifs[12] as osvif.objects.VIFBridge).port_profile = new osvif.objects.VIFPortProfileBase({});
    const pairs = vifs.map((vif) => ({ vif, instanceInfo: INSTANCE }));
    const progress: osvif.BatchProgress[] = [];
    const results = await osvif.plugAll(pairs, { onProgress: (p) => progress.push(p) });

    t.is(results.length, 20);
    t.deepEqual(
      results.map((r) => r.vifId),
      vifs.map((v) => v.id),
      'one result per VIF, in input order',
    );
    const failed = results.flatMap((r, i) => (r.ok ? [] : [{ i, error: r.error }]));
    t.deepEqual(
      failed.map((f) => f.i),
      [5, 12],
    );
    t.true(failed[0]?.error instanceof osvif.NoMatchingPlugin);
    t.true(failed[1]?.error instanceof osvif.PlugException);
    t.is((failed[1]?.error.cause as Error | undefined)?.name, 'WrongPortProfile');
    t.is(progress.length, 20);
    t.deepEqual(
      progress.map((p) => p.done),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    t.like(progress[19], { ok: 18, failed: 2, total: 20 });
    t.deepEqual(
      progress.map((p) => p.index).sort((a, b) => a - b),
      [...Array(20).keys()],
    );

    // the host: every good VIF whole, nothing of the bad ones
    const links = new Map(host.ns.links().map((l) => [l.ifname, l]));
    const rows = host.state().ovs;
    const ports = new Set(rows.bridges['br-int']?.ports);
    const ofports = new Map(ovsList(host.sb.dbRemote, 'Interface').map((r) => [r.name, r.ofport]));
    vifs.forEach((v, n) => {
      const id = v.id;
      const bad = n === 5 || n === 12;
      if (v instanceof osvif.objects.VIFBridge) {
        const [qbr, qvb, qvo] = ['qbr', 'qvb', 'qvo'].map((p) => `${p}${id}`.slice(0, 14)) as [
          string,
          string,
          string,
        ];
        if (bad) {
          t.false(links.has(qbr) || links.has(qvb) || links.has(qvo), `nothing of bad VIF ${n}`);
          t.false(ports.has(qvo));
          return;
        }
        t.is(links.get(qvb)?.master, qbr, `VIF ${n}: qvb in qbr`);
        t.is(links.get(qvo)?.mtu, 1450, `VIF ${n}: qvo MTU`);
        t.true(ports.has(qvo), `VIF ${n}: qvo on br-int`);
        t.deepEqual(rows.interfaces[qvo]?.external_ids, ids(id, v.address ?? ''), `VIF ${n}: qvo ids`);
        t.true(Number(ofports.get(qvo)) > 0, `VIF ${n}: qvo has an ofport`);
      } else {
        const tap = `tapbt${n}`;
        if (bad) {
          t.false(ports.has(tap), `nothing of bad VIF ${n}`);
          return;
        }
        t.true(ports.has(tap), `VIF ${n}: tap on br-int`);
        t.is(links.get(tap)?.mtu, 1450, `VIF ${n}: tap MTU`);
        t.deepEqual(rows.interfaces[tap]?.external_ids, ids(id, v.address ?? ''), `VIF ${n}: tap ids`);
        t.true(Number(ofports.get(tap)) > 0, `VIF ${n}: tap has an ofport`);
      }
    });

    const undone = await osvif.unplugAll(pairs, { concurrency: 7 });
    t.deepEqual(
      undone.flatMap((r, i) => (r.ok ? [] : [i])),
      [5, 12],
      'the same two fail to unplug, the others are gone',
    );
    t.deepEqual(vsctl(host, 'list-ports', 'br-int'), '');
    t.deepEqual(
      host.ns
        .links()
        .map((l) => l.ifname)
        .filter((name) => name !== 'lo' && name !== 'br-int' && !name.startsWith('ovs-')),
      ['tapbt5'],
      'every device of the plugged VIFs is gone (the taps with their ports, as in os-vif); the refused VIF tap stays',
    );
  },
);
