/**
 * Where a hybrid plug and unplug spend their time: this library's JavaScript, the kernel
 * (netlink requests), ovsdb-server (the commits) and ovs-vswitchd (the wait for `cur_cfg`).
 * In a sandbox of its own (namespace, ovsdb-server, ovs-vswitchd with the userspace datapath),
 * through the real plugin, with the host seams wrapped to time every awaited request.
 *
 * - one at a time (`--n 1`, repeated `--rounds` times): the latency of one plug and one unplug,
 *   split into netlink / OVSDB commit / ovs-vswitchd wait / the rest (this library's JS and
 *   the per-VIF lock);
 * - all in flight (`--n 100`): wall time, and the CPU time each process spent meanwhile
 *   (node: user + sys; ovsdb-server; ovs-vswitchd), from /proc.
 * - `--plain`: plain OVS ports (VIFOpenVSwitch, taps made beforehand) instead of hybrid VIFs.
 * - `--ports K`: K other VIFs plugged first (ovs-vswitchd's work grows with the bridge's ports).
 *
 *   node dist/bench/profile.js --n 1 --rounds 50
 *   node dist/bench/profile.js --n 100
 *   node dist/bench/profile.js --n 100 --floor   # and the floor, measured in the same run
 *   node dist/bench/profile.js --rtt --rounds 300  # ovsdb-server round trips alone
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile.js --n 100
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNetns, deleteNetns, Netlink, netnsPath } from '../src/netlink/index.js';
import { OvsdbClient, VSwitch } from '../src/ovsdb/index.js';
import { hostFactory, type LinkHost, OvsPlugin, type SwitchHost } from '../src/plugins/index.js';
import type { OvsHostFactory } from '../src/plugins/ovs/plugin.js';
import { OvsSandbox } from '../src/sandbox/index.js';
import { objects } from '../src/vif/index.js';

const INSTANCE = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'profile',
  project_id: 'profile',
});

/** Time spent awaiting each kind of host request, and how many were made. */
export class Timings {
  netlinkMs = 0;
  netlinkCalls = 0;
  commitMs = 0;
  commits = 0;
  vswitchdMs = 0;
  readonly byOp = new Map<string, { n: number; ms: number }>();

  note(op: string, ms: number): void {
    const e = this.byOp.get(op) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += ms;
    this.byOp.set(op, e);
  }

  reset(): void {
    this.netlinkMs = this.commitMs = this.vswitchdMs = 0;
    this.netlinkCalls = this.commits = 0;
    this.byOp.clear();
  }
}

/** The production factory with every LinkHost method and every transaction timed. */
export function timedFactory(inner: OvsHostFactory, t: Timings): OvsHostFactory {
  return {
    links: async () => {
      const links = await inner.links();
      return new Proxy(links, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function' || prop === 'close') return v;
          return async (...args: unknown[]) => {
            const t0 = performance.now();
            try {
              return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              const ms = performance.now() - t0;
              t.netlinkMs += ms;
              t.netlinkCalls++;
              t.note(`links.${String(prop)}`, ms);
            }
          };
        },
      }) as LinkHost;
    },
    switch: async (options, logger) => {
      const sw = await inner.switch(options, logger);
      const timed: SwitchHost = {
        transact: async (steps, limit) => {
          const t0 = performance.now();
          const out = await sw.transact(steps, limit);
          const ms = performance.now() - t0;
          const waited = out.vswitchd?.waitedMs ?? 0;
          t.commitMs += ms - waited;
          t.vswitchdMs += waited;
          t.commits++;
          t.note(`transact(${steps.map((s) => s.op).join(',')})`, ms);
          return out;
        },
        hasColumn: (table, column) => sw.hasColumn(table, column),
        bridgePorts: async (bridge, limit) => {
          const t0 = performance.now();
          try {
            return await sw.bridgePorts(bridge, limit);
          } finally {
            t.commitMs += performance.now() - t0;
            t.note('bridgePorts', performance.now() - t0);
          }
        },
        close: () => sw.close(),
      };
      return timed;
    },
  };
}

function vifFor(i: number, plain: boolean): objects.VIFBase {
  const id = `${(0x20000000 + i).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
  const common = {
    id,
    address: `fa:16:3e:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
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
      ...(plain ? { create_port: true } : {}),
    }),
  };
  return plain
    ? new objects.VIFOpenVSwitch(common)
    : new objects.VIFBridge({ ...common, bridge_name: `qbr${id}`.slice(0, 14) });
}

/** user+sys CPU ms of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function pidOf(sb: OvsSandbox, daemon: string): number {
  return Number(readFileSync(path.join(sb.dir, `${daemon}.pid`), 'utf8').trim());
}

/** The CPU each process spent during `fn`, and its wall time. */
async function measured(sb: OvsSandbox, fn: () => Promise<void>) {
  const server = pidOf(sb, 'ovsdb-server');
  const vswitchd = pidOf(sb, 'ovs-vswitchd');
  const c0 = process.cpuUsage();
  const s0 = cpuMs(server);
  const v0 = cpuMs(vswitchd);
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return {
    wallMs,
    nodeUserMs: c.user / 1000,
    nodeSysMs: c.system / 1000,
    ovsdbServerMs: cpuMs(server) - s0,
    vswitchdMs: cpuMs(vswitchd) - v0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '30' },
      plain: { type: 'boolean', default: false },
      ops: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
      rtt: { type: 'boolean', default: false },
      ports: { type: 'string', default: '0' },
    },
  });
  if (values.rtt) return roundTrips(Number(values.rounds));
  const n = Number(values.n);
  const plain = values.plain === true;
  const ns = `ovt${process.pid}p`;
  await createNetns(ns);
  const sb = await OvsSandbox.start({ vswitchd: true, netns: netnsPath(ns) }).catch(async (e: unknown) => {
    await deleteNetns(ns);
    throw e;
  });
  const t = new Timings();
  const plugin = new OvsPlugin(
    { ovsdb_connection: sb.dbRemote },
    timedFactory(hostFactory({ netns: ns }), t),
  );
  const nl = await Netlink.open({ netns: ns });
  try {
    const vifs = Array.from({ length: n }, (_, i) => vifFor(i, plain));
    const taps = async () => {
      if (!plain) return;
      for (const v of vifs) await nl.links.add({ kind: 'tap', name: (v as objects.VIFOpenVSwitch).vif_name });
    };
    // warm-up: connect, create br-int
    await plugin.plug(vifFor(n + 7, false), INSTANCE);
    await plugin.unplug(vifFor(n + 7, false), INSTANCE);
    // --ports K: K other VIFs of the same kind plugged first (ovs-vswitchd's work per
    // reconfiguration grows with the ports of the bridge)
    const others = Array.from({ length: Number(values.ports) }, (_, i) => vifFor(1000 + i, plain));
    if (plain)
      for (const v of others)
        await nl.links.add({ kind: 'tap', name: (v as objects.VIFOpenVSwitch).vif_name });
    await Promise.all(others.map((v) => plugin.plug(v, INSTANCE)));
    const report = (label: string, wall: number, count: number) => {
      const per = (x: number) => (x / count).toFixed(2);
      const rest = wall - t.netlinkMs - t.commitMs - t.vswitchdMs;
      console.log(
        `${label}: ${per(wall)} ms/VIF | netlink ${per(t.netlinkMs)} ms (${(t.netlinkCalls / count).toFixed(1)} requests) | OVSDB commit ${per(t.commitMs)} ms (${(t.commits / count).toFixed(1)} txns) | ovs-vswitchd wait ${per(t.vswitchdMs)} ms | rest (library JS, lock) ${per(rest)} ms`,
      );
      if (values.ops)
        for (const [op, e] of [...t.byOp].sort((a, b) => b[1].ms - a[1].ms))
          console.log(`    ${op}: ${(e.n / count).toFixed(1)}/VIF, ${(e.ms / e.n).toFixed(3)} ms each`);
    };
    if (n === 1) {
      const rounds = Number(values.rounds);
      let plugWall = 0;
      let unplugWall = 0;
      const plugT = new Timings();
      const unplugT = new Timings();
      const add = (into: Timings) => {
        into.netlinkMs += t.netlinkMs;
        into.netlinkCalls += t.netlinkCalls;
        into.commitMs += t.commitMs;
        into.commits += t.commits;
        into.vswitchdMs += t.vswitchdMs;
        for (const [op, e] of t.byOp) {
          const x = into.byOp.get(op) ?? { n: 0, ms: 0 };
          x.n += e.n;
          x.ms += e.ms;
          into.byOp.set(op, x);
        }
      };
      for (let r = 0; r < rounds; r++) {
        await taps();
        t.reset();
        let t0 = performance.now();
        await plugin.plug(vifs[0] as objects.VIFBase, INSTANCE);
        plugWall += performance.now() - t0;
        add(plugT);
        t.reset();
        t0 = performance.now();
        await plugin.unplug(vifs[0] as objects.VIFBase, INSTANCE);
        unplugWall += performance.now() - t0;
        add(unplugT);
      }
      Object.assign(t, plugT);
      report(`${plain ? 'plain' : 'hybrid'} plug, one at a time (${rounds} rounds)`, plugWall, rounds);
      Object.assign(t, unplugT);
      report(`${plain ? 'plain' : 'hybrid'} unplug, one at a time`, unplugWall, rounds);
      return;
    }
    await taps();
    if (values.floor) {
      const f = await measured(sb, async () => floor(ns, sb.dbRemote, vifs, plain));
      console.log(`floor (one ip -batch + one ovs-vsctl), N=${n}:`, JSON.stringify(round(f)));
      await floorUndo(ns, sb.dbRemote, vifs, plain);
      await taps().catch(() => undefined);
    }
    t.reset();
    const p = await measured(sb, async () => {
      await Promise.all(vifs.map((v) => plugin.plug(v, INSTANCE)));
    });
    console.log(`${plain ? 'plain' : 'hybrid'} plug, N=${n} all in flight:`, JSON.stringify(round(p)));
    report('  awaited per VIF (overlapping)', p.wallMs, n);
    t.reset();
    const again = await measured(sb, async () => {
      await Promise.all(vifs.map((v) => plugin.plug(v, INSTANCE)));
    });
    console.log(`re-plug (already right), N=${n}:`, JSON.stringify(round(again)));
    report('  awaited per VIF (overlapping)', again.wallMs, n);
    t.reset();
    const u = await measured(sb, async () => {
      await Promise.all(vifs.map((v) => plugin.unplug(v, INSTANCE)));
    });
    console.log(`${plain ? 'plain' : 'hybrid'} unplug, N=${n} all in flight:`, JSON.stringify(round(u)));
    report('  awaited per VIF (overlapping)', u.wallMs, n);
  } finally {
    nl.close();
    await plugin.close();
    await sb.stop().catch(() => undefined);
    await deleteNetns(ns).catch(() => undefined);
  }
}

/**
 * ovsdb-server's share of a commit: the round trip of an `echo` (no database work), of a
 * read-only `select`, and of a port-adding transaction without and with the ovs-vswitchd wait.
 */
async function roundTrips(rounds: number): Promise<void> {
  const sb = await OvsSandbox.start({ vswitchd: false });
  const client = await OvsdbClient.connect(sb.dbRemote);
  try {
    const vs = await VSwitch.open(client);
    await vs.ensureBridge('br-rtt', { datapathType: 'netdev' });
    const time = async (label: string, fn: (i: number) => Promise<unknown>) => {
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) await fn(i);
      console.log(`${label}: ${((performance.now() - t0) / rounds).toFixed(3)} ms`);
    };
    await time('echo round trip', () => client.echo());
    await time('select round trip', () =>
      client.transact('Open_vSwitch', [{ op: 'select', table: 'Bridge', where: [], columns: ['name'] }]),
    );
    await time('VSwitch addPort (commit + read-your-writes echo)', (i) => vs.addPort('br-rtt', `p${i}`));
    await time('VSwitch delPort', (i) => vs.delPort(`p${i}`));
    await vs.close();
  } finally {
    await client.close();
    await sb.stop();
  }
}

function names(v: objects.VIFBase) {
  const id = v.id;
  return { qbr: `qbr${id}`.slice(0, 14), qvb: `qvb${id}`.slice(0, 14), qvo: `qvo${id}`.slice(0, 14) };
}

function run(cmd: string, args: string[], input?: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')}: ${r.stderr.trim()}`);
}

/**
 * The floor: ONE `ip -batch` for all the kernel work (hybrid: bridge, veth pair up, promiscuous,
 * MTU, qvb on qbr; plain: the taps' MTU), one `sysctl` process for the bridges' sysctls, and ONE
 * `ovs-vsctl` transaction for every OVS port (waiting for ovs-vswitchd, as the library does).
 */
function floor(ns: string, remote: string, vifs: objects.VIFBase[], plain: boolean): void {
  const ip: string[] = [];
  const sysctls: string[] = [];
  const vsctl: string[] = ['--timeout=300', `--db=${remote}`];
  for (const v of vifs) {
    const n = names(v);
    const port = plain ? (v as objects.VIFOpenVSwitch).vif_name : n.qvo;
    if (plain) ip.push(`link set ${port} mtu 1450`);
    else {
      ip.push(`link add ${n.qbr} type bridge ageing_time 0 forward_delay 0 stp_state 0 mcast_snooping 0`);
      ip.push(`link set ${n.qbr} up`);
      ip.push(`link add ${n.qvb} mtu 1450 type veth peer name ${n.qvo} mtu 1450`);
      ip.push(`link set ${n.qvb} up promisc on master ${n.qbr}`);
      ip.push(`link set ${n.qvo} up promisc on`);
      sysctls.push(
        `net.ipv6.conf.${n.qbr}.disable_ipv6=1`,
        `net.ipv4.conf.${n.qbr}.arp_ignore=1`,
        `net.ipv4.conf.${n.qbr}.arp_announce=2`,
      );
    }
    vsctl.push(
      '--',
      '--may-exist',
      'add-port',
      'br-int',
      port,
      '--',
      'set',
      'Interface',
      port,
      `external_ids:iface-id=${v.id}`,
      'external_ids:iface-status=active',
      `external_ids:attached-mac=${v.address}`,
      `external_ids:vm-uuid=${INSTANCE.uuid}`,
    );
  }
  run('ip', ['-n', ns, '-batch', '-'], `${ip.join('\n')}\n`);
  if (sysctls.length > 0) run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...sysctls]);
  run('ovs-vsctl', vsctl);
}

async function floorUndo(ns: string, remote: string, vifs: objects.VIFBase[], plain: boolean): Promise<void> {
  const vsctl: string[] = ['--timeout=300', `--db=${remote}`];
  const ip: string[] = [];
  for (const v of vifs) {
    const n = names(v);
    const port = plain ? (v as objects.VIFOpenVSwitch).vif_name : n.qvo;
    vsctl.push('--', '--if-exists', 'del-port', 'br-int', port);
    ip.push(...(plain ? [`link del ${port}`] : [`link del ${n.qbr}`, `link del ${n.qvo}`]));
  }
  run('ovs-vsctl', vsctl);
  run('ip', ['-n', ns, '-force', '-batch', '-'], `${ip.join('\n')}\n`);
}

function round(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
