/**
 * Cross-process safety against the real kernel (a namespace) and a real ovsdb-server: ten
 * separate processes plug at once, through this library (`lock-worker.ts`) or `os-vif plug`,
 * and Python os-vif's own lock holds a plug here back. Each round ends with a check of the
 * whole host. OS_VIF_SOAK=1 runs 50 rounds of each case (3 by default).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { objects } from '../../src/vif/index.js';
import type { TestNetns } from '../harness/netns.js';
import { hasOsloConcurrency, PythonLockHolder, until } from '../harness/pylock.js';
import { gatedTest, INSTANCE, net, profile, skipReason, testHost } from './e2e-host.js';
import { Worker } from './lock-worker-client.js';
import { ovsState } from './witness.js';

const e2e = gatedTest('cross-process tests');
const ROUNDS = process.env.OS_VIF_SOAK === '1' ? 50 : 3;
const PROCESSES = 10;
const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const BRIDGE = 'brq0c1d2e3f-4a';

let pool: Worker[] | undefined;
function workers(): Worker[] {
  pool ??= Array.from({ length: PROCESSES }, () => Worker.start());
  return pool;
}
e2e.after.always(() => {
  for (const w of pool ?? []) w.stop();
});

const lbVif = (id: string, fields: Record<string, unknown> = {}) =>
  new objects.VIFBridge({
    id,
    address: 'fa:16:3e:7c:2a:0b',
    plugin: 'linux_bridge',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: BRIDGE,
    has_traffic_filtering: true,
    network: net(BRIDGE, { should_provide_bridge: true, mtu: 1400, ...fields }),
  });
const vifId = (i: number) => `${(0x1c1d2e30 + i).toString(16)}-4a5b-4c6d-8e7f-9a0b1c2d3e4f`;

/** nic0: a NIC (one end of a veth pair) with an address and two gateway routes, as an uplink holds them. */
function addUplink(ns: TestNetns): void {
  if (!ns.link('nic0')) ns.ip('link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'nic0far');
  ns.ip('link', 'set', 'nic0far', 'up');
  ns.ip('link', 'set', 'nic0', 'up');
  ns.ip('addr', 'add', '10.9.0.2/24', 'dev', 'nic0');
  ns.ip('route', 'add', 'default', 'via', '10.9.0.1');
  ns.ip('route', 'add', '198.51.100.0/24', 'via', '10.9.0.254');
}

const addrs = (ns: TestNetns, dev: string) =>
  (
    JSON.parse(ns.ip('-j', '-4', 'addr', 'show', 'dev', dev)) as {
      addr_info: { local: string; prefixlen: number }[];
    }[]
  )
    .flatMap((l) => l.addr_info)
    .map((a) => `${a.local}/${a.prefixlen}`);
const gatewayRoutes = (ns: TestNetns) =>
  (JSON.parse(ns.ip('-j', '-4', 'route', 'show')) as { dst: string; gateway?: string; dev: string }[])
    .filter((r) => r.gateway)
    .map((r) => `${r.dst} via ${r.gateway} dev ${r.dev}`)
    .sort();

/** What every plug onto BRIDGE must leave: one bridge, the uplink enslaved, its L3 on the bridge, once. */
function bridgeProblems(ns: TestNetns, uplink: boolean): string[] {
  const problems: string[] = [];
  const br = ns.link(BRIDGE);
  if (br?.linkinfo?.info_kind !== 'bridge')
    return [`${BRIDGE} is ${br ? br.linkinfo?.info_kind : 'missing'}`];
  if (!br.flags.includes('UP')) problems.push(`${BRIDGE} is down`);
  if (!uplink) return problems;
  if (ns.link('nic0')?.master !== BRIDGE) problems.push(`nic0 master is ${ns.link('nic0')?.master}`);
  const onBridge = addrs(ns, BRIDGE);
  if (JSON.stringify(onBridge) !== '["10.9.0.2/24"]') problems.push(`${BRIDGE} addresses ${onBridge}`);
  if (addrs(ns, 'nic0').length) problems.push(`nic0 addresses ${addrs(ns, 'nic0')}`);
  const routes = gatewayRoutes(ns);
  const want = [`198.51.100.0/24 via 10.9.0.254 dev ${BRIDGE}`, `default via 10.9.0.1 dev ${BRIDGE}`];
  if (JSON.stringify(routes) !== JSON.stringify(want)) problems.push(`routes ${routes.join('; ')}`);
  return problems;
}

/** Back to the start: no bridge; the uplink with its own address and routes again. */
function resetBridge(ns: TestNetns, uplink: boolean): void {
  if (ns.link(BRIDGE)) ns.ip('link', 'del', BRIDGE);
  if (uplink) addUplink(ns);
}

/** Runs `rounds` rounds of `plugs` (one request per process); returns failures and bad hosts. */
async function rounds(
  t: ExecutionContext,
  plugs: (round: number) => Record<string, unknown>[],
  check: () => string[],
  reset: () => void | Promise<void>,
): Promise<void> {
  const pool = workers();
  const failures: string[] = [];
  const badHosts: string[] = [];
  let calls = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const requests = plugs(round);
    const results = await Promise.all(requests.map((r, i) => (pool[i % pool.length] as Worker).call(r)));
    calls += results.length;
    for (const r of results) if (!r.ok) failures.push(`round ${round}: ${r.error}`);
    const problems = check();
    if (problems.length) badHosts.push(`round ${round}: ${problems.join(', ')}`);
    await reset();
  }
  t.log(
    `${ROUNDS} rounds, ${calls} calls in ${PROCESSES} processes: ${failures.length} failed, ${badHosts.length} rounds left a wrong host`,
  );
  t.deepEqual(failures.slice(0, 5), []);
  t.deepEqual(badHosts.slice(0, 5), []);
}

const lbRequest = (ns: TestNetns, lockPath: string, vif: objects.VIFBase) => ({
  plugin: 'linux_bridge',
  action: 'plug',
  vif: vif.toPrimitive(),
  instance: INSTANCE.toPrimitive(),
  netns: ns.name,
  config: { oslo_concurrency: { lock_path: lockPath }, os_vif_linux_bridge: {} },
});

e2e.serial(
  'ten processes plug the same VIF onto a bridge whose uplink holds an address and routes: ten successes, one correct host',
  async (t) => {
    const host = await testHost(t);
    addUplink(host.ns);
    const vif = lbVif(vifId(0), { bridge_interface: 'nic0' });
    await rounds(
      t,
      () => Array.from({ length: PROCESSES }, () => lbRequest(host.ns, host.lockPath, vif)),
      () => bridgeProblems(host.ns, true),
      () => resetBridge(host.ns, true),
    );
  },
);

e2e.serial(
  'ten processes plug ten VIFs onto one bridge with an uplink: all succeed, the uplink keeps its address and routes (on the bridge)',
  async (t) => {
    const host = await testHost(t);
    addUplink(host.ns);
    await rounds(
      t,
      () =>
        Array.from({ length: PROCESSES }, (_, i) =>
          lbRequest(host.ns, host.lockPath, lbVif(vifId(i), { bridge_interface: 'nic0' })),
        ),
      () => bridgeProblems(host.ns, true),
      () => resetBridge(host.ns, true),
    );
  },
);

e2e.serial('ten processes plug ten VIFs onto one bridge without an uplink: all succeed', async (t) => {
  const host = await testHost(t);
  await rounds(
    t,
    () => Array.from({ length: PROCESSES }, (_, i) => lbRequest(host.ns, host.lockPath, lbVif(vifId(i)))),
    () => bridgeProblems(host.ns, false),
    () => resetBridge(host.ns, false),
  );
});

const hybridVif = (id: string) =>
  new objects.VIFBridge({
    id,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net('br-int'),
    port_profile: profile(id),
  });

e2e.serial(
  'ten processes plug the same hybrid VIF, then unplug it: ten successes each, one correct host, then nothing',
  async (t) => {
    const host = await testHost(t);
    const id = vifId(7);
    const [qbr, qvb, qvo] = ['qbr', 'qvb', 'qvo'].map((p) => `${p}${id}`.slice(0, 14)) as [
      string,
      string,
      string,
    ];
    const request = (action: string) => ({
      plugin: 'ovs',
      action,
      vif: hybridVif(id).toPrimitive(),
      instance: INSTANCE.toPrimitive(),
      netns: host.ns.name,
      config: {
        oslo_concurrency: { lock_path: host.lockPath },
        os_vif_ovs: { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: 20, wait_for_vswitchd: false },
      },
    });
    const unplugFailures: string[] = [];
    await rounds(
      t,
      () => Array.from({ length: PROCESSES }, () => request('plug')),
      () => {
        const problems: string[] = [];
        const links = host.ns.links();
        if (links.filter((l) => l.ifname !== 'lo').length !== 3)
          problems.push(`links ${links.map((l) => l.ifname)}`);
        if (host.ns.link(qbr)?.linkinfo?.info_kind !== 'bridge') problems.push(`${qbr} missing`);
        if (host.ns.link(qvb)?.master !== qbr) problems.push(`${qvb} not on ${qbr}`);
        if (host.ns.link(qvo)?.linkinfo?.info_kind !== 'veth') problems.push(`${qvo} missing`);
        const ports = ovsState(host.sb.dbRemote).bridges['br-int']?.ports ?? [];
        if (JSON.stringify([...ports].sort()) !== JSON.stringify(['br-int', qvo].sort()))
          problems.push(`ports ${ports}`);
        return problems;
      },
      async () => {
        const results = await Promise.all(workers().map((w) => w.call(request('unplug'))));
        for (const r of results) if (!r.ok) unplugFailures.push(r.error ?? '?');
        const left = host.ns.links().filter((l) => l.ifname !== 'lo');
        if (left.length) unplugFailures.push(`left ${left.map((l) => l.ifname)}`);
        if (readdirSync(host.lockPath).some((f) => f.includes(id)))
          unplugFailures.push('the VIF lock file stayed');
      },
    );
    t.deepEqual(unplugFailures.slice(0, 5), [], 'ten concurrent unplugs: all succeed, nothing left');
  },
);

e2e.serial(
  'ten `os-vif plug` processes onto a bridge with an uplink (lock_path from the config file): ten exit 0, one correct host',
  async (t) => {
    const host = await testHost(t);
    addUplink(host.ns);
    const dir = host.lockPath;
    const files = Array.from({ length: PROCESSES }, (_, i) => {
      const vifFile = path.join(dir, `vif${i}.json`);
      writeFileSync(vifFile, JSON.stringify(lbVif(vifId(i), { bridge_interface: 'nic0' }).toPrimitive()));
      return vifFile;
    });
    const instanceFile = path.join(dir, 'instance.json');
    writeFileSync(instanceFile, JSON.stringify(INSTANCE.toPrimitive()));
    const configFile = path.join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ oslo_concurrency: { lock_path: path.join(dir, 'cli-locks') } }),
    );
    const exits = await Promise.all(
      files.map(
        (vifFile) =>
          new Promise<string>((resolve) => {
            const args = [
              BIN,
              'plug',
              '--vif',
              vifFile,
              '--instance',
              instanceFile,
              '--config',
              configFile,
              '--netns',
              host.ns.name,
            ];
            const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (d) => (stderr += d));
            child.on('close', (code) => resolve(`${code}${stderr ? ` ${stderr.trim()}` : ''}`));
          }),
      ),
    );
    t.deepEqual(
      exits,
      files.map(() => '0'),
    );
    t.deepEqual(bridgeProblems(host.ns, true), []);
    t.true(
      readdirSync(path.join(dir, 'cli-locks')).includes('nova-lock_bridge'),
      'the lock file is in lock_path',
    );
  },
);

const py = gatedTest(
  'Python lock interoperability plug tests',
  skipReason ?? (hasOsloConcurrency ? undefined : 'needs python3-oslo.concurrency'),
);
py.serial(
  'Python os-vif holding nova-lock_bridge: a linux_bridge plug here waits (the event loop running), then completes',
  async (t) => {
    const host = await testHost(t);
    const python = await PythonLockHolder.hold(host.lockPath, 'nova-lock_bridge');
    t.teardown(() => python.kill());
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    t.teardown(() => clearInterval(timer));
    const events: string[] = [];
    const plugging = host
      .linuxBridge()
      .plug(lbVif(vifId(3)), INSTANCE)
      .then(() => events.push('plugged'));
    const file = path.join(host.lockPath, 'nova-lock_bridge');
    await until(() => openHere(file), 'the plug waits on the lock file');
    const atWait = ticks;
    await until(() => ticks >= atWait + 5, 'timers fire while the plug waits');
    t.is(host.ns.link(BRIDGE), undefined, 'no bridge while Python holds the lock');
    t.deepEqual(events, []);
    events.push('python releases');
    await python.release();
    await plugging;
    t.deepEqual(events, ['python releases', 'plugged']);
    t.deepEqual(bridgeProblems(host.ns, false), []);
  },
);

function openHere(file: string): boolean {
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}
