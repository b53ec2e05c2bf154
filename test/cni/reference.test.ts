/**
 * Differential against the reference `bridge` plugin (containernetworking-plugins), with the
 * same bridge and host-local configuration: the container side (link, addresses, routes, MTU)
 * is the same; and pods of both plugins on one bridge reach each other.
 */
import test from 'ava';
import { TestNetns } from '../harness/netns.js';
import { CniDirs, cniSkipReason, containerView, netconf } from './harness.js';

const cni = cniSkipReason ? test.skip : test;
if (cniSkipReason) test('CNI reference tests are skipped', (t) => t.log(cniSkipReason));

function namespaces(t: { teardown(fn: () => void): void }, n: number): TestNetns[] {
  const list = Array.from({ length: n }, () => TestNetns.create());
  t.teardown(() => {
    for (const ns of list) ns.destroy();
  });
  return list;
}

/** The reference plugin's netconf for the same network as {@link netconf}. */
function reference(dirs: CniDirs, ipamDir: string) {
  const { ipam } = netconf(dirs, {}, ipamDir);
  return { cniVersion: '1.0.0', name: 'ovtnet', type: 'bridge', bridge: 'cnibr0', mtu: 1400, ipam };
}

cni('the container side is the same as the reference bridge plugin makes it', async (t) => {
  const dirs = new CniDirs(t);
  const [hostRef, hostOurs, podRef, podOurs] = namespaces(t, 4) as TestNetns[] as [
    TestNetns,
    TestNetns,
    TestNetns,
    TestNetns,
  ];
  const [ref, ours] = await Promise.all([
    dirs.run(hostRef.name, 'bridge', 'ADD', reference(dirs, 'ipam-ref'), {
      containerId: 'c1',
      netns: podRef.path,
      ifname: 'eth0',
    }),
    dirs.run(hostOurs.name, 'os-vif', 'ADD', netconf(dirs, {}, 'ipam-ours'), {
      containerId: 'c1',
      netns: podOurs.path,
      ifname: 'eth0',
    }),
  ]);
  t.is(ref.status, 0, ref.stdout + ref.stderr);
  t.is(ours.status, 0, ours.stdout + ours.stderr);
  const want = containerView(podRef, 'eth0');
  t.deepEqual(containerView(podOurs, 'eth0'), want);
  for (const key of ['ips', 'routes', 'dns'] as const) {
    // the reference lists [bridge, host veth, eth0], this plugin [host end, eth0]: indexes differ
    const strip = (v: unknown) =>
      JSON.stringify(v, (k, x) => (k === 'interface' ? undefined : (x as unknown))) ?? 'undefined';
    t.is(strip(ours.json?.[key] ?? {}), strip(ref.json?.[key] ?? {}), key);
  }
  const refIfs = ref.json?.interfaces as { name: string; sandbox?: string }[];
  const ourIfs = ours.json?.interfaces as { name: string; sandbox?: string }[];
  t.deepEqual(
    ourIfs.filter((i) => i.sandbox).map((i) => i.name),
    refIfs.filter((i) => i.sandbox).map((i) => i.name),
  );
});

cni('pods of the reference plugin and of this one on one bridge reach each other', async (t) => {
  const dirs = new CniDirs(t);
  const [host, p1, p2, p3] = namespaces(t, 4) as [TestNetns, TestNetns, TestNetns, TestNetns];
  const env = (id: string, ns: TestNetns) => ({ containerId: id, netns: ns.path, ifname: 'eth0' });
  const a = await dirs.run(host.name, 'bridge', 'ADD', reference(dirs, 'ipam'), env('ref1', p1));
  t.is(a.status, 0, a.stdout + a.stderr);
  const b = await dirs.run(host.name, 'os-vif', 'ADD', netconf(dirs), env('ours2', p2));
  t.is(b.status, 0, b.stdout + b.stderr);
  const c = await dirs.run(host.name, 'os-vif', 'ADD', netconf(dirs), env('ours3', p3));
  t.is(c.status, 0, c.stdout + c.stderr);
  const addr = (r: typeof a) =>
    String(((r.json?.ips ?? []) as { address: string }[])[0]?.address).split('/')[0] as string;
  for (const [from, to] of [
    [p1, addr(b)],
    [p2, addr(a)],
    [p2, addr(c)],
  ] as const) {
    const ping = from.exec('ping', ['-c', '1', '-W', '5', to]);
    t.is(ping.status, 0, `${from.name} -> ${to}: ${ping.stdout}${ping.stderr}`);
  }
  for (const [id, ns] of [
    ['ours2', p2],
    ['ours3', p3],
  ] as const)
    t.is((await dirs.run(host.name, 'os-vif', 'DEL', netconf(dirs), env(id, ns))).status, 0);
  t.is((await dirs.run(host.name, 'bridge', 'DEL', reference(dirs, 'ipam'), env('ref1', p1))).status, 0);
});
