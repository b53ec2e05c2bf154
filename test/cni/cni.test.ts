/**
 * `os-vif` as a CNI plugin, executed as a runtime executes it: the spec's documents (checked
 * against JSON Schemas written from the spec), ADD/CHECK/DEL/DEL again, error codes for bad
 * input with nothing changed, a chain with the reference `tuning` plugin, OVS, GC and STATUS.
 */
import { spawnSync } from 'node:child_process';
import test from 'ava';
import { main } from '../../src/cli.js';
import { TestNetns } from '../harness/netns.js';
import { testHost } from '../plugins/e2e-host.js';
import { ovsState } from '../plugins/witness.js';
import { CniDirs, cniSkipReason, netconf, validate } from './harness.js';

const cni = cniSkipReason ? test.skip : test;
if (cniSkipReason) test('CNI tests are skipped', (t) => t.log(cniSkipReason));

function namespaces(t: { teardown(fn: () => void): void }, n: number): TestNetns[] {
  const list = Array.from({ length: n }, () => TestNetns.create());
  t.teardown(() => {
    for (const ns of list) ns.destroy();
  });
  return list;
}

cni('VERSION and bad input: the spec documents and codes, and nothing changes', async (t) => {
  const dirs = new CniDirs(t);
  const [host, pod] = namespaces(t, 2) as [TestNetns, TestNetns];
  const v = await dirs.run(host.name, 'os-vif', 'VERSION', { cniVersion: '1.1.0' });
  t.is(v.status, 0);
  t.true(validate.version(v.json), JSON.stringify(validate.version.errors));
  t.deepEqual(v.json, { cniVersion: '1.1.0', supportedVersions: ['1.0.0', '1.1.0'] });
  const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
  const cases: [string, unknown, typeof env | Partial<typeof env>, number][] = [
    ['old version', netconf(dirs, { cniVersion: '0.4.0' }), env, 1],
    ['not JSON', '{nope', env, 6],
    ['bad plugin', netconf(dirs, { plugin: 'sriov' }), env, 7],
    ['bad bridge name', netconf(dirs, { bridge: 'a/b' }), env, 7],
    ['bad mtu', netconf(dirs, { mtu: 10 }), env, 7],
    ['bad os-vif option', netconf(dirs, { plugin: 'ovs', ovs_vsctl_timeout: 'soon' }), env, 7],
    ['no CNI_CONTAINERID', netconf(dirs), { netns: pod.path, ifname: 'eth0' }, 4],
    ['no CNI_NETNS', netconf(dirs), { containerId: 'c1', ifname: 'eth0' }, 4],
    ['bad CNI_IFNAME', netconf(dirs), { ...env, ifname: 'eth 0' }, 4],
    ['missing netns', netconf(dirs), { ...env, netns: '/run/netns/ovt-none' }, 3],
    ['missing IPAM plugin', netconf(dirs, { ipam: { type: 'no-such-ipam' } }), env, 7],
    ['IPAM older than 1.1.0 (host-local 1.1.1)', netconf(dirs, { cniVersion: '1.1.0' }), env, 1],
  ];
  const runs = await Promise.all(cases.map(([, conf, e]) => dirs.run(host.name, 'os-vif', 'ADD', conf, e)));
  for (const [i, [what, , , code]] of cases.entries()) {
    const r = runs[i] as Awaited<ReturnType<CniDirs['run']>>;
    t.not(r.status, 0, what);
    t.true(validate.error(r.json), `${what}: ${r.stdout}`);
    t.is(r.json?.code, code, `${what}: ${r.stdout}`);
  }
  t.deepEqual(
    host.links().map((l) => l.ifname),
    ['lo'],
  );
  t.deepEqual(
    pod.links().map((l) => l.ifname),
    ['lo'],
  );
});

cni(
  'ADD, CHECK, DEL, DEL again on a Linux bridge; CHECK sees a change; STATUS; GC removes what is not valid',
  async (t) => {
    const dirs = new CniDirs(t);
    const [host, pod, pod2] = namespaces(t, 3) as [TestNetns, TestNetns, TestNetns];
    const conf = netconf(dirs);
    const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
    const add = await dirs.run(host.name, 'os-vif', 'ADD', conf, env);
    t.is(add.status, 0, add.stdout + add.stderr);
    t.true(validate.result(add.json), JSON.stringify(validate.result.errors));
    const result = add.json as { interfaces: { name: string; mac: string; sandbox?: string }[] };
    t.like(add.json, {
      cniVersion: '1.0.0',
      ips: [{ address: '10.88.0.2/24', gateway: '10.88.0.1', interface: 1 }],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '10.89.0.0/16', gw: '10.88.0.254' }],
    });
    t.is(result.interfaces[1]?.name, 'eth0');
    t.is(result.interfaces[1]?.sandbox, pod.path);
    const eth0 = pod.link('eth0');
    t.is(eth0?.address, result.interfaces[1]?.mac);
    t.is(eth0?.mtu, 1400);
    t.is(host.link(result.interfaces[0]?.name as string)?.master, 'cnibr0');
    t.is(
      pod.ip('route', 'show', 'default').trim(),
      'default via 10.88.0.1 dev eth0',
      'the IPAM route without gw goes through the gateway',
    );
    const again = await dirs.run(host.name, 'os-vif', 'ADD', conf, { ...env, containerId: 'c1' });
    t.not(again.status, 0, 'a second ADD of the same attachment fails (host-local has the id already)');
    t.is(
      pod.link('eth0')?.address,
      result.interfaces[1]?.mac,
      'and its rollback left the first attachment alone',
    );

    const withPrev = { ...conf, prevResult: add.json };
    const chk = await dirs.run(host.name, 'os-vif', 'CHECK', withPrev, env);
    t.is(chk.status, 0, chk.stdout + chk.stderr);
    t.is(chk.stdout, '');
    t.is((await dirs.run(host.name, 'os-vif', 'CHECK', conf, env)).json?.code, 7, 'CHECK without prevResult');
    pod.ip('addr', 'del', '10.88.0.2/24', 'dev', 'eth0');
    const bad = await dirs.run(host.name, 'os-vif', 'CHECK', withPrev, env);
    t.is(bad.json?.code, 100, bad.stdout);
    t.regex(String(bad.json?.msg), /10\.88\.0\.2\/24 is not on eth0/);

    t.is((await dirs.run(host.name, 'os-vif', 'STATUS', conf)).status, 0);

    const add2 = await dirs.run(host.name, 'os-vif', 'ADD', conf, {
      containerId: 'c2',
      netns: pod2.path,
      ifname: 'eth0',
    });
    t.is(add2.status, 0, add2.stdout);
    const gc = await dirs.run(host.name, 'os-vif', 'GC', {
      ...conf,
      cniVersion: '1.1.0',
      'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0' }],
    });
    t.is(gc.status, 0, gc.stdout + gc.stderr);
    t.deepEqual(
      pod2.links().map((l) => l.ifname),
      ['lo'],
      'GC removed c2',
    );
    t.truthy(pod.link('eth0'), 'GC kept c1');

    const del = await dirs.run(host.name, 'os-vif', 'DEL', conf, env);
    t.is(del.status, 0, del.stdout + del.stderr);
    t.deepEqual(
      pod.links().map((l) => l.ifname),
      ['lo'],
    );
    t.deepEqual(
      host.links().map((l) => l.ifname),
      ['lo', 'cnibr0'],
      'only the shared bridge stays',
    );
    const del2 = await dirs.run(host.name, 'os-vif', 'DEL', conf, { containerId: 'c1', ifname: 'eth0' });
    t.is(del2.status, 0, `DEL again, without CNI_NETNS: ${del2.stdout}`);
  },
);

cni(
  'a chain with the reference tuning plugin: prevResult passed through, CHECK and DEL of the chain',
  async (t) => {
    const dirs = new CniDirs(t);
    const [host, pod] = namespaces(t, 2) as [TestNetns, TestNetns];
    const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
    const ours = netconf(dirs);
    const tuning = {
      cniVersion: '1.0.0',
      name: 'ovtnet',
      type: 'tuning',
      promisc: true,
      sysctl: { 'net.ipv4.conf.eth0.arp_notify': '1' },
    };
    const first = await dirs.run(host.name, 'os-vif', 'ADD', ours, env);
    t.is(first.status, 0, first.stdout);
    const second = await dirs.run(host.name, 'tuning', 'ADD', { ...tuning, prevResult: first.json }, env);
    t.is(second.status, 0, second.stdout + second.stderr);
    t.true(validate.result(second.json), JSON.stringify(validate.result.errors));
    t.deepEqual(second.json?.interfaces, first.json?.interfaces, 'tuning passes our interfaces on');
    t.true(pod.link('eth0')?.flags.includes('PROMISC'));
    t.is(pod.exec('cat', ['/proc/sys/net/ipv4/conf/eth0/arp_notify']).stdout.trim(), '1');
    for (const [type, conf] of [
      ['os-vif', ours],
      ['tuning', tuning],
    ] as const) {
      const r = await dirs.run(host.name, type, 'CHECK', { ...conf, prevResult: second.json }, env);
      t.is(r.status, 0, `${type} CHECK: ${r.stdout}${r.stderr}`);
    }
    t.is((await dirs.run(host.name, 'tuning', 'DEL', tuning, env)).status, 0);
    t.is((await dirs.run(host.name, 'os-vif', 'DEL', ours, env)).status, 0);
    t.deepEqual(
      pod.links().map((l) => l.ifname),
      ['lo'],
    );
  },
);

cni(
  'a previous plugin result is kept: our interfaces appended, its free address configured on ours',
  async (t) => {
    const dirs = new CniDirs(t);
    const [host, pod] = namespaces(t, 2) as [TestNetns, TestNetns];
    const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
    const prevResult = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'earlier0' }],
      ips: [{ address: '10.90.0.7/24', gateway: '10.90.0.1' }],
      routes: [{ dst: '10.91.0.0/16', gw: '10.90.0.1' }],
      dns: { nameservers: ['10.90.0.53'] },
    };
    const { ipam: _ipam, ...noIpam } = netconf(dirs);
    const r = await dirs.run(host.name, 'os-vif', 'ADD', { ...noIpam, prevResult }, env);
    t.is(r.status, 0, r.stdout + r.stderr);
    t.true(validate.result(r.json), JSON.stringify(validate.result.errors));
    const interfaces = r.json?.interfaces as { name: string }[];
    t.deepEqual(
      interfaces.map((i) => i.name),
      ['earlier0', interfaces[1]?.name, 'eth0'],
    );
    t.deepEqual(r.json?.ips, [{ address: '10.90.0.7/24', gateway: '10.90.0.1', interface: 2 }]);
    t.deepEqual(r.json?.routes, prevResult.routes);
    t.deepEqual(r.json?.dns, prevResult.dns);
    t.true(pod.ip('addr', 'show', 'dev', 'eth0').includes('10.90.0.7/24'));
    t.is((await dirs.run(host.name, 'os-vif', 'DEL', noIpam, env)).status, 0);
  },
);

cni(
  'OVS: the host end an OVS port with the derived iface-id; CHECK; DEL removes port and veth',
  async (t) => {
    const h = await testHost(t);
    const dirs = new CniDirs(t);
    const [pod] = namespaces(t, 1) as [TestNetns];
    const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
    // CNI 1.1.0 without IPAM: host-local 1.1.1 speaks 1.0.0 at most
    const { ipam: _none, ...noIpam } = netconf(dirs);
    const conf = {
      ...noIpam,
      cniVersion: '1.1.0',
      plugin: 'ovs',
      bridge: 'br-int',
      ovsdb_connection: h.sb.dbRemote,
      wait_for_vswitchd: false,
      datapath_type: 'netdev',
      isolate_vif: true,
    };
    const add = await dirs.run(h.ns.name, 'os-vif', 'ADD', conf, env);
    t.is(add.status, 0, add.stdout + add.stderr);
    t.true(validate.result(add.json), JSON.stringify(validate.result.errors));
    const hostEnd = ((add.json?.interfaces ?? []) as { name: string; mtu?: number }[])[0];
    t.is(hostEnd?.mtu, 1400, 'CNI 1.1 results carry the MTU');
    const ovs = ovsState(h.sb.dbRemote);
    t.deepEqual(ovs.bridges['br-int']?.ports, ['br-int', hostEnd?.name].sort());
    t.is(ovs.ports[hostEnd?.name as string]?.tag, 4095, 'isolate_vif, by its os-vif name');
    const ids = ovs.interfaces[hostEnd?.name as string]?.external_ids as Record<string, string>;
    t.is(ids['attached-mac'], ((add.json?.interfaces ?? []) as { mac: string }[])[1]?.mac);
    t.regex(ids['iface-id'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const chk = await dirs.run(h.ns.name, 'os-vif', 'CHECK', { ...conf, prevResult: add.json }, env);
    t.is(chk.status, 0, chk.stdout + chk.stderr);
    t.is((await dirs.run(h.ns.name, 'os-vif', 'STATUS', conf)).status, 0);
    const down = await dirs.run(h.ns.name, 'os-vif', 'STATUS', {
      ...conf,
      ovsdb_connection: `unix:${dirs.root}/none.sock`,
    });
    t.is(down.json?.code, 50, down.stdout);
    t.is((await dirs.run(h.ns.name, 'os-vif', 'DEL', conf, env)).status, 0);
    t.deepEqual(ovsState(h.sb.dbRemote).bridges['br-int']?.ports, ['br-int']);
    t.deepEqual(
      h.ns.links().map((l) => l.ifname),
      ['lo'],
    );
    t.is((await dirs.run(h.ns.name, 'os-vif', 'DEL', conf, env)).status, 0);
  },
);

cni('a failure after IPAM rolls back: no device left, the address released', async (t) => {
  const dirs = new CniDirs(t);
  const [host, pod] = namespaces(t, 2) as [TestNetns, TestNetns];
  // a device named like the bridge that is no bridge: the linux_bridge plugin refuses it
  host.ip('link', 'add', 'cnibr0', 'type', 'veth', 'peer', 'name', 'cnibr0p');
  const env = { containerId: 'c1', netns: pod.path, ifname: 'eth0' };
  const r = await dirs.run(host.name, 'os-vif', 'ADD', netconf(dirs), env);
  t.is(r.json?.code, 100, r.stdout);
  t.regex(String(r.json?.msg), /device cnibr0 is of kind veth, not a Linux bridge/);
  t.deepEqual(
    host
      .links()
      .map((l) => l.ifname)
      .sort(),
    ['cnibr0', 'cnibr0p', 'lo'],
    'no veth was made',
  );
  t.deepEqual(
    pod.links().map((l) => l.ifname),
    ['lo'],
  );
  const leases = spawnSync('ls', [`${dirs.root}/ipam/ovtnet`], { encoding: 'utf8' }).stdout.split('\n');
  t.false(leases.includes('10.88.0.2'), `the lease was released: ${leases.join(' ')}`);
});

test('`os-vif cni`, and the CLI with CNI_COMMAND set and no command, are the plugin', async (t) => {
  const bin = new URL('../../../bin/os-vif.js', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, 'cni'], {
    input: '{"cniVersion":"1.0.0"}',
    encoding: 'utf8',
    env: { ...process.env, CNI_COMMAND: 'VERSION' },
  });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { cniVersion: '1.0.0', supportedVersions: ['1.0.0', '1.1.0'] });
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: () => undefined, tty: false, stdin: async () => 'nope' };
  process.env.CNI_COMMAND = 'ADD';
  try {
    t.is(await main([], io), 2);
  } finally {
    delete process.env.CNI_COMMAND;
  }
  t.like(JSON.parse(out[0] ?? '{}'), { code: 4 }, 'a CNI error: no CNI_CONTAINERID');
  t.is(await main([], { ...io, out: () => undefined }), 2, 'without CNI_COMMAND: the usage, as before');
});
