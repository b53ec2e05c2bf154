/**
 * Plug/unplug benchmark of hybrid VIFs (the classic os-vif case: a `qbr` Linux bridge, a
 * `qvb`/`qvo` veth pair and an OVS port with os-vif's external_ids), in sandboxes of its own:
 *
 * - shell: one `ip`, `sysctl` or `ovs-vsctl` process per step, as agents do today
 *   (9 processes per plug, 3 per unplug; `ovs-vsctl` without `--no-wait`, so it waits for
 *   ovs-vswitchd as the others do);
 * - this library, one VIF at a time, and with 32 VIFs in flight;
 * - Python os-vif 3.0.0 where installed: one process plugging all VIFs in a loop (time measured
 *   inside Python, start-up excluded).
 *
 * Every sandbox runs ovs-vswitchd (userspace datapath) in the namespace and every method waits
 * for it to apply each OVSDB change (`cur_cfg >= next_cfg`), as os-vif does. Each method's result
 * is checked: N qbr bridges, N OVS ports each attached by ovs-vswitchd (ofport > 0) after plug,
 * none after unplug.
 *
 *   node dist/bench/plug.js            # N = 10, 100, 1000 (shell and Python up to 100)
 *   node dist/bench/plug.js --n 200    # one size, every method
 *   os-vif bench --n 200 [--json]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchOptions, BenchResults } from '../src/demo/bench.js';
import { createNetns, deleteNetns, Netlink, netnsPath } from '../src/netlink/index.js';
import { OvsdbClient, VSwitch } from '../src/ovsdb/index.js';
import { hostFactory, OvsPlugin } from '../src/plugins/index.js';
import { OvsSandbox } from '../src/sandbox/index.js';
import { objects } from '../src/vif/index.js';

const PYOSVIF = fileURLToPath(new URL('../../test/harness/pyosvif.py', import.meta.url));
const INSTANCE = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'bench',
  project_id: 'bench',
});
const IN_FLIGHT = 32;
let sandboxes = 0;

/** One method's measured numbers. */
export interface MethodResult {
  method: string;
  n: number;
  plugMs: number;
  unplugMs: number;
  verified: boolean;
  note?: string;
}

function vifFor(i: number): objects.VIFBridge {
  const id = `${(0x10000000 + i).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
  return new objects.VIFBridge({
    id,
    address: `fa:16:3e:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: new objects.Network({
      id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
      bridge: 'br-int',
      mtu: 1450,
      subnets: new objects.SubnetList({ objects: [] }),
    }),
    port_profile: new objects.VIFPortProfileOpenVSwitch({
      interface_id: id,
      profile_id: '',
      datapath_type: 'netdev',
    }),
  });
}

/** A namespace and a private ovsdb-server (and ovs-vswitchd when asked). */
async function sandbox(vswitchd: boolean): Promise<{ ns: string; sb: OvsSandbox; stop(): Promise<void> }> {
  const ns = `ovt${process.pid}b${sandboxes++}`;
  await createNetns(ns);
  try {
    const sb = await OvsSandbox.start({ vswitchd, netns: netnsPath(ns) });
    return {
      ns,
      sb,
      stop: async () => {
        await sb.stop().catch(() => undefined);
        await deleteNetns(ns).catch(() => undefined);
      },
    };
  } catch (error) {
    await deleteNetns(ns).catch(() => undefined);
    throw error;
  }
}

/** True when the sandbox holds exactly `n` plugged VIFs (qbr bridges, qvo ports with an ofport). */
async function verify(ns: string, remote: string, n: number): Promise<boolean> {
  const nl = await Netlink.open({ netns: ns });
  const client = await OvsdbClient.connect(remote);
  try {
    const bridges = (await nl.links.list({ kind: 'bridge' })).filter((l) => l.name.startsWith('qbr')).length;
    const veths = (await nl.links.list({ kind: 'veth' })).filter((l) => l.name.startsWith('qv')).length;
    const vs = await VSwitch.open(client);
    const qvos = vs.bridgeExists('br-int') ? vs.listPorts('br-int').filter((p) => p.startsWith('qvo')) : [];
    const attached = qvos.filter((p) => (vs.findInterface(p)?.ofport ?? 0) > 0).length;
    await vs.close();
    return bridges === n && veths === 2 * n && qvos.length === n && attached === n;
  } finally {
    nl.close();
    await client.close();
  }
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
}

async function shellMethod(n: number, tick: (i: number) => void): Promise<MethodResult> {
  const box = await sandbox(true);
  try {
    // without --no-wait: each ovs-vsctl waits for ovs-vswitchd, as os-vif's backends do
    const vsctl = (...a: string[]) => run('ovs-vsctl', ['--timeout=120', `--db=${box.sb.dbRemote}`, ...a]);
    const ip = (...a: string[]) => run('ip', ['-n', box.ns, ...a]);
    const vifs = Array.from({ length: n }, (_, i) => vifFor(i));
    const t0 = performance.now();
    for (const [i, v] of vifs.entries()) {
      const [qbr, qvb, qvo] = [v.bridge_name, `qvb${v.id}`.slice(0, 14), `qvo${v.id}`.slice(0, 14)];
      ip(
        'link',
        'add',
        qbr,
        'type',
        'bridge',
        'ageing_time',
        '0',
        'forward_delay',
        '0',
        'stp_state',
        '0',
        'mcast_snooping',
        '0',
      );
      run('ip', [
        'netns',
        'exec',
        box.ns,
        'sysctl',
        '-q',
        '-w',
        `net.ipv6.conf.${qbr}.disable_ipv6=1`,
        `net.ipv4.conf.${qbr}.arp_ignore=1`,
        `net.ipv4.conf.${qbr}.arp_announce=2`,
      ]);
      ip('link', 'set', qbr, 'up');
      ip('link', 'add', qvb, 'type', 'veth', 'peer', 'name', qvo);
      ip('link', 'set', qvb, 'up', 'promisc', 'on', 'mtu', '1450');
      ip('link', 'set', qvo, 'up', 'promisc', 'on', 'mtu', '1450');
      ip('link', 'set', qvb, 'master', qbr);
      vsctl('--', '--may-exist', 'add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'datapath_type=netdev');
      vsctl(
        '--',
        '--may-exist',
        'add-port',
        'br-int',
        qvo,
        '--',
        'set',
        'Interface',
        qvo,
        `external_ids:iface-id=${v.id}`,
        'external_ids:iface-status=active',
        `external_ids:attached-mac=${v.address}`,
        `external_ids:vm-uuid=${INSTANCE.uuid}`,
      );
      tick(i);
    }
    const plugMs = performance.now() - t0;
    const plugged = await verify(box.ns, box.sb.dbRemote, n);
    const t1 = performance.now();
    for (const [i, v] of vifs.entries()) {
      const qvo = `qvo${v.id}`.slice(0, 14);
      ip('link', 'del', v.bridge_name);
      vsctl('del-port', 'br-int', qvo);
      ip('link', 'del', qvo);
      tick(n + i);
    }
    const unplugMs = performance.now() - t1;
    return {
      method: 'shell: ip/sysctl/ovs-vsctl per step',
      n,
      plugMs,
      unplugMs,
      verified: plugged && (await verify(box.ns, box.sb.dbRemote, 0)),
    };
  } finally {
    await box.stop();
  }
}

async function libraryMethod(n: number, inFlight: number, tick: (i: number) => void): Promise<MethodResult> {
  const box = await sandbox(true);
  const plugin = new OvsPlugin({ ovsdb_connection: box.sb.dbRemote }, hostFactory({ netns: box.ns }));
  try {
    const vifs = Array.from({ length: n }, (_, i) => vifFor(i));
    let done = 0;
    const pool = async (fn: (v: objects.VIFBridge) => Promise<void>) => {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < vifs.length; i = next++) {
          await fn(vifs[i] as objects.VIFBridge);
          tick(done++);
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
    };
    await plugin.plug(vifFor(n + 1), INSTANCE); // connect and create br-int, untimed
    await plugin.unplug(vifFor(n + 1), INSTANCE);
    const t0 = performance.now();
    await pool((v) => plugin.plug(v, INSTANCE));
    const plugMs = performance.now() - t0;
    const plugged = await verify(box.ns, box.sb.dbRemote, n);
    const t1 = performance.now();
    await pool((v) => plugin.unplug(v, INSTANCE));
    const unplugMs = performance.now() - t1;
    const method = inFlight === 1 ? 'os-vif (TS), one at a time' : `os-vif (TS), ${inFlight} in flight`;
    return { method, n, plugMs, unplugMs, verified: plugged && (await verify(box.ns, box.sb.dbRemote, 0)) };
  } finally {
    await plugin.close();
    await box.stop();
  }
}

function pythonAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_ovs.ovs']).status === 0;
}

async function pythonMethod(n: number): Promise<MethodResult> {
  const box = await sandbox(true);
  try {
    const vifs = Array.from({ length: n }, (_, i) => vifFor(i).toPrimitive());
    const call = (action: string): number => {
      const input = JSON.stringify({
        action,
        vifs,
        instance_info: INSTANCE.toPrimitive(),
        config: { os_vif_ovs: { ovsdb_connection: box.sb.dbRemote } },
      });
      const r = spawnSync('ip', ['netns', 'exec', box.ns, '/usr/bin/python3', PYOSVIF], {
        input,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        ok?: boolean;
        ms?: number;
        error?: string;
      };
      if (!out.ok || out.ms === undefined)
        throw new Error(`python os-vif ${action}: ${out.error ?? r.stderr}`);
      return out.ms;
    };
    const plugMs = call('plug');
    const plugged = await verify(box.ns, box.sb.dbRemote, n);
    const unplugMs = call('unplug');
    return {
      method: 'Python os-vif 3.0.0 (in-process privsep)',
      n,
      plugMs,
      unplugMs,
      verified: plugged && (await verify(box.ns, box.sb.dbRemote, 0)),
    };
  } finally {
    await box.stop();
  }
}

function table(results: MethodResult[]): string[] {
  const shell = results.find((r) => r.method.startsWith('shell'));
  const fmt = (ms: number, n: number) => ({
    rate: (n / (ms / 1000)).toFixed(0),
    us: ((ms * 1000) / n).toFixed(0),
  });
  const ratio = (base: number | undefined, ms: number) =>
    base === undefined ? '—' : `${(base / ms).toFixed(1)}x`;
  const lines = [
    `N=${results[0]?.n} hybrid VIFs (qbr + veth pair + OVS port with external_ids)`,
    '| method | plug VIF/s | µs/VIF | vs shell | unplug VIF/s | µs/VIF | vs shell | state checked |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const p = fmt(r.plugMs, r.n);
    const u = fmt(r.unplugMs, r.n);
    lines.push(
      `| ${r.method}${r.note ? ` (${r.note})` : ''} | ${p.rate} | ${p.us} | ${ratio(shell?.plugMs, r.plugMs)} | ${u.rate} | ${u.us} | ${ratio(shell?.unplugMs, r.unplugMs)} | ${r.verified ? 'yes' : 'NO'} |`,
    );
  }
  return lines;
}

/** Runs every method for one N. */
export async function runPlugBench(
  options: BenchOptions & { shell?: boolean; python?: boolean },
): Promise<BenchResults> {
  const { n } = options;
  const progress = (label: string, total: number) => (i: number) => {
    if (!options.progress || (i + 1) % Math.max(1, Math.floor(total / 40)) !== 0) return;
    const filled = Math.round(((i + 1) / total) * 30);
    options.progress(
      `\r  ${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${i + 1}/${total}`,
    );
  };
  const done = () => options.progress?.(`\r${' '.repeat(79)}\r`);
  const results: MethodResult[] = [];
  if (options.shell !== false) {
    results.push(await shellMethod(n, progress('shell', 2 * n)));
    done();
  }
  results.push(await libraryMethod(n, 1, progress('os-vif (TS), one at a time', 2 * n)));
  done();
  results.push(await libraryMethod(n, IN_FLIGHT, progress(`os-vif (TS), ${IN_FLIGHT} in flight`, 2 * n)));
  done();
  if (options.python !== false && pythonAvailable()) results.push(await pythonMethod(n));
  return { ok: results.every((r) => r.verified), table: table(results), results };
}

async function mainBench(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string' }, json: { type: 'boolean' } } });
  const sizes = values.n ? [Number(values.n)] : [10, 100, 1000];
  const all: BenchResults[] = [];
  for (const n of sizes) {
    const r = await runPlugBench({
      n,
      shell: values.n !== undefined || n <= 100,
      python: values.n !== undefined || n <= 100,
      progress: process.stderr.isTTY ? (s) => process.stderr.write(s) : undefined,
    });
    all.push(r);
    if (!values.json) console.log(`${r.table.join('\n')}\n`);
  }
  if (values.json) console.log(JSON.stringify(all.map((r) => r.results)));
  if (!all.every((r) => r.ok)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await mainBench();
