/**
 * OVN readiness benchmark: how long from the plug call until the VIF is really wired, for 1, 10
 * and 100 plain VIFs (veth pairs standing in for taps), on one chassis and on two, in a private
 * OVN sandbox (src/sandbox/ovn-sandbox.ts; NB, SB and northd standalone).
 *
 * - this library, all VIFs in flight: `plug()` with `wait_for_ovn_installed` resolves at
 *   ovn-installed (watched on the plugin's replica); NB `up=true` is watched at the same time
 *   through `LogicalPorts` (one monitor);
 * - this library, one VIF at a time: the same, each plug awaited before the next;
 * - Python os-vif 3.0.0 (what an agent does today without the event path): one process per
 *   chassis plugs its VIFs in a loop (time measured inside Python, start-up excluded), then
 *   `ovn-nbctl wait-until Logical_Switch_Port <id> up=true` per port, one after the other.
 *   Python's ports may come up while it still plugs; the wait-until loop then returns at once,
 *   so this favours Python.
 *
 * Each run is checked: every Interface ovn-installed and every logical port up, then everything
 * is unplugged (and checked down) before the next run.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/ovn.js [--n 10] [--json]     # npm run bench:ovn
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Netlink } from '../src/netlink/index.js';
import { LogicalPorts } from '../src/ovsdb/index.js';
import { hostFactory, OvsPlugin } from '../src/plugins/index.js';
import { OvnSandbox } from '../src/sandbox/index.js';
import { objects } from '../src/vif/index.js';

const PYOSVIF = fileURLToPath(new URL('../../test/harness/pyosvif.py', import.meta.url));
const INSTANCE = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'bench',
  project_id: 'bench',
});

/** One measured run. */
interface Result {
  method: string;
  chassis: number;
  n: number;
  /** Until every plug resolved at ovn-installed (library only). */
  installedMs?: number;
  /** Until every logical port was up in NB. */
  upMs: number;
  /** Median per-VIF time from its plug call to NB up (library only). */
  medianUpMs?: number;
}

let runs = 0;

interface BenchVif {
  chassis: number;
  vif: objects.VIFOpenVSwitch;
  mac: string;
}

/** N VIFs spread over the chassis, their logical ports and their veth pairs. */
async function prepare(sb: OvnSandbox, n: number): Promise<BenchVif[]> {
  const run = runs++;
  const vifs = Array.from({ length: n }, (_, i) => {
    const id = `be${run.toString(16).padStart(2, '0')}${i.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;
    const mac = `02:be:${run.toString(16).padStart(2, '0')}:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    return {
      chassis: i % sb.chassis.length,
      mac,
      vif: new objects.VIFOpenVSwitch({
        id,
        address: mac,
        plugin: 'ovs',
        vif_name: `tap${id}`.slice(0, 11),
        network: new objects.Network({
          id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
          bridge: 'br-int',
          mtu: 1400,
          subnets: new objects.SubnetList({ objects: [] }),
        }),
        port_profile: new objects.VIFPortProfileOpenVSwitch({
          interface_id: id,
          profile_id: '',
          datapath_type: 'netdev',
          create_port: true,
        }),
      }),
    };
  });
  const args: string[] = [];
  for (const v of vifs)
    args.push('--', 'lsp-add', 'ls1', v.vif.id, '--', 'lsp-set-addresses', v.vif.id, v.mac);
  await sb.nbctl(...args);
  for (const [c, chassis] of sb.chassis.entries()) {
    const nl = await Netlink.open({ netns: chassis.netns });
    try {
      for (const [i, v] of vifs.entries())
        if (v.chassis === c)
          await nl.links.add({
            kind: 'veth',
            name: v.vif.vif_name,
            peer: { name: `bp${run}x${i}` },
            up: true,
          });
    } finally {
      nl.close();
    }
  }
  return vifs;
}

/** Unplugs every VIF with the library (also after the Python run) and waits until every port is down. */
async function cleanup(plugins: OvsPlugin[], nb: LogicalPorts, vifs: BenchVif[]): Promise<void> {
  await Promise.all(vifs.map((v) => plugins[v.chassis]!.unplug(v.vif, INSTANCE)));
  await Promise.all(vifs.map((v) => nb.waitUp(v.vif.id, { up: false, timeoutMs: 60_000 })));
}

async function library(
  sb: OvnSandbox,
  plugins: OvsPlugin[],
  nb: LogicalPorts,
  n: number,
  inFlight: boolean,
): Promise<Result> {
  const vifs = await prepare(sb, n);
  const t0 = performance.now();
  const upAt: number[] = [];
  const ups = vifs.map((v, i) =>
    nb.waitUp(v.vif.id, { timeoutMs: 120_000 }).then(() => {
      upAt[i] = performance.now() - t0;
    }),
  );
  const starts: number[] = [];
  if (inFlight)
    await Promise.all(
      vifs.map((v) => {
        starts.push(performance.now() - t0);
        return plugins[v.chassis]!.plug(v.vif, INSTANCE);
      }),
    );
  else
    for (const v of vifs) {
      starts.push(performance.now() - t0);
      await plugins[v.chassis]!.plug(v.vif, INSTANCE);
    }
  const installedMs = performance.now() - t0;
  await Promise.all(ups);
  const upMs = performance.now() - t0;
  // per VIF: from its own plug call to its NB up
  const perVif = vifs.map((_, i) => (upAt[i] ?? 0) - (starts[i] ?? 0)).sort((a, b) => a - b);
  await cleanup(plugins, nb, vifs);
  return {
    method: inFlight
      ? 'os-vif (TS), all in flight, wait_for_ovn_installed'
      : 'os-vif (TS), one at a time, wait_for_ovn_installed',
    chassis: sb.chassis.length,
    n,
    installedMs,
    upMs,
    medianUpMs: perVif[Math.floor(perVif.length / 2)],
  };
}

function pythonPlug(netns: string, dbRemote: string, vifs: BenchVif[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, '/usr/bin/python3', PYOSVIF], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', () => {
      clearTimeout(timer);
      const r = JSON.parse(out.trim().split('\n').pop() || '{}') as {
        ok?: boolean;
        ms?: number;
        error?: string;
      };
      if (r.ok && r.ms !== undefined) resolve(r.ms);
      else reject(new Error(`python os-vif plug: ${r.error ?? err}`));
    });
    child.stdin.end(
      JSON.stringify({
        action: 'plug',
        vifs: vifs.map((v) => v.vif.toPrimitive()),
        instance_info: INSTANCE.toPrimitive(),
        config: { os_vif_ovs: { ovsdb_connection: dbRemote } },
      }),
    );
  });
}

async function python(sb: OvnSandbox, plugins: OvsPlugin[], nb: LogicalPorts, n: number): Promise<Result> {
  const vifs = await prepare(sb, n);
  const plugMs = await Promise.all(
    sb.chassis.map((c, i) => {
      const mine = vifs.filter((v) => v.chassis === i);
      return mine.length > 0 ? pythonPlug(c.netns, c.dbRemote, mine) : Promise.resolve(0);
    }),
  );
  const t1 = performance.now();
  for (const v of vifs) {
    const r = spawnSync(
      'ovn-nbctl',
      [`--db=${sb.nbRemote}`, '--timeout=60', 'wait-until', 'Logical_Switch_Port', v.vif.id, 'up=true'],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`ovn-nbctl wait-until ${v.vif.id}: ${r.stderr}`);
  }
  const upMs = Math.max(...plugMs) + (performance.now() - t1);
  for (const v of vifs) if (nb.isUp(v.vif.id) !== true) await nb.waitUp(v.vif.id, { timeoutMs: 10_000 });
  await cleanup(plugins, nb, vifs);
  return {
    method: 'Python os-vif 3.0.0 plug, then ovn-nbctl wait-until per port',
    chassis: sb.chassis.length,
    n,
    upMs,
  };
}

function pythonAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_ovs.ovs']).status === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { n: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const sizes = values.n ? [Math.min(Math.max(Number(values.n) || 10, 1), 500)] : [1, 10, 100];
  const results: Result[] = [];
  const withPython = pythonAvailable();
  let current: OvnSandbox | undefined;
  const onSignal = () => {
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  for (const chassis of [1, 2]) {
    const sb = await OvnSandbox.start({ chassis });
    current = sb;
    const plugins: OvsPlugin[] = [];
    let nb: LogicalPorts | undefined;
    try {
      await sb.nbctl('ls-add', 'ls1');
      nb = await LogicalPorts.open(sb.nbRemote);
      for (const c of sb.chassis)
        plugins.push(
          new OvsPlugin(
            { ovsdb_connection: c.dbRemote, wait_for_ovn_installed: true, ovs_vsctl_timeout: 120 },
            hostFactory({ netns: c.netns }),
          ),
        );
      // warm-up, not recorded: each plugin opens its OVSDB connection and replica on first use
      await library(sb, plugins, nb, sb.chassis.length, true);
      for (const n of sizes) {
        results.push(await library(sb, plugins, nb, n, true));
        results.push(await library(sb, plugins, nb, n, false));
        if (withPython) results.push(await python(sb, plugins, nb, n));
        if (!values.json) {
          for (const r of results.slice(withPython ? -3 : -2)) console.error(line(r));
        }
      }
    } finally {
      for (const p of plugins) await p.close().catch(() => undefined);
      await nb?.close().catch(() => undefined);
      await sb.stop();
    }
  }
  if (values.json) console.log(JSON.stringify({ results, python: withPython }));
  else {
    console.log(
      '\n| chassis | VIFs | method | all ovn-installed (ms) | all NB up (ms) | median per-VIF plug→up (ms) |',
    );
    console.log('| ---: | ---: | --- | ---: | ---: | ---: |');
    for (const r of results)
      console.log(
        `| ${r.chassis} | ${r.n} | ${r.method} | ${r.installedMs?.toFixed(0) ?? '–'} | ${r.upMs.toFixed(0)} | ${r.medianUpMs?.toFixed(0) ?? '–'} |`,
      );
    if (!withPython) console.log('\n(Python os-vif 3.0.0 is not installed: apt-get install python3-os-vif)');
    console.log(`\n${plot(results).join('\n')}`);
  }
}

/** A text bar chart of the time until every port was up in NB, at the largest size. */
function plot(results: Result[]): string[] {
  const n = Math.max(...results.map((r) => r.n));
  const rows = results.filter((r) => r.n === n);
  const max = Math.max(...rows.map((r) => r.upMs));
  const short = (m: string) =>
    m.startsWith('Python')
      ? 'Python + wait-until'
      : m.includes('in flight')
        ? 'TS, all in flight'
        : 'TS, one at a time';
  return [
    `time until all ${n} logical ports are up in NB (ms)`,
    ...rows.map(
      (r) =>
        `${r.chassis} chassis  ${short(r.method).padEnd(19)} ${'█'.repeat(Math.max(1, Math.round((r.upMs / max) * 50)))} ${r.upMs.toFixed(0)}`,
    ),
  ];
}

function line(r: Result): string {
  return `${r.chassis} chassis, ${r.n} VIFs, ${r.method}: installed ${r.installedMs?.toFixed(0) ?? '-'} ms, NB up ${r.upMs.toFixed(0)} ms`;
}

await main();
