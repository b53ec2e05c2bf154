/**
 * The baselines of the scale benchmark (src/bench), run as the sandbox's witnesses with the
 * system's tools, which is why they live here and not in src/:
 *
 * - `shell`: one process per step, os-vif 3.0.0's steps exactly (model §6.2/§6.3): `ip`, one
 *   `sysctl` per write, `ovs-vsctl` per transaction (without `--no-wait`: it waits for
 *   ovs-vswitchd, as os-vif does), in os-vif's order;
 * - `python`: the real Python os-vif 3.0.0 in one process (test/harness/pyosvif.py, privsep
 *   in process), timed inside Python around the plug/unplug loop: start-up excluded;
 * - `floor`: the least the tools can do for the same work. Plain: ONE `ovs-vsctl` transaction
 *   for all N ports, then ONE `ip -batch` for the N tap MTUs os-vif sets. Hybrid: ONE
 *   `ip -batch` for all the kernel work of N hybrid VIFs, ONE `sysctl` process for the bridges'
 *   3N sysctls (`ip -batch` cannot write them), ONE `ovs-vsctl` transaction for the N qvo ports;
 *   unplug: ONE `ovs-vsctl` transaction deleting the ports, then ONE `ip -batch` deleting qbr and
 *   qvo. linux_bridge: ONE `ip -batch` and ONE `sysctl`; its unplug does nothing (os-vif's is a
 *   no-op), so its time is 0 and has no ratio.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BENCH_INSTANCE_UUID,
  type BenchContext,
  type Kind,
  lbBridge,
  type Method,
  vifNames,
} from '../src/bench/index.js';

const PYOSVIF = fileURLToPath(new URL('../../test/harness/pyosvif.py', import.meta.url));

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 1 << 26 });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.slice(0, 6).join(' ')}…: ${(r.stderr || r.error?.message || '').trim().slice(0, 300)}`,
    );
  return r.stdout;
}

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

function timed(fn: () => void): Promise<number> {
  const t0 = performance.now();
  fn();
  return Promise.resolve(performance.now() - t0);
}

/** `ovs-vsctl` against the sandbox, waiting for ovs-vswitchd. */
function vsctl(ctx: BenchContext, args: string[]): void {
  run('ovs-vsctl', ['--timeout=600', `--db=${ctx.dbRemote}`, ...args]);
}

function ip(ctx: BenchContext, ...args: string[]): void {
  run('ip', ['-n', ctx.ns, ...args]);
}

function ipBatch(ctx: BenchContext, lines: string[]): void {
  if (lines.length > 0) run('ip', ['-n', ctx.ns, '-batch', '-'], `${lines.join('\n')}\n`);
}

function sysctl(ctx: BenchContext, settings: string[]): void {
  if (settings.length > 0) run('ip', ['netns', 'exec', ctx.ns, 'sysctl', '-q', '-w', ...settings]);
}

const bridgeSysctls = (br: string) => [
  `net.ipv6.conf.${br}.disable_ipv6=1`,
  `net.ipv4.conf.${br}.arp_ignore=1`,
  `net.ipv4.conf.${br}.arp_announce=2`,
];

/** `-- --may-exist add-port BR DEV -- set Interface DEV external_ids:…` (os-vif's create port). */
function addPortArgs(ctx: BenchContext, i: number, dev: string): string[] {
  const v = vifNames(i);
  return [
    '--',
    '--may-exist',
    'add-port',
    ctx.bridge,
    dev,
    '--',
    'set',
    'Interface',
    dev,
    `external_ids:iface-id=${v.id}`,
    'external_ids:iface-status=active',
    `external_ids:attached-mac=${v.address}`,
    `external_ids:vm-uuid=${BENCH_INSTANCE_UUID}`,
  ];
}

const ensureBrArgs = (ctx: BenchContext) => [
  '--',
  '--may-exist',
  'add-br',
  ctx.bridge,
  '--',
  'set',
  'Bridge',
  ctx.bridge,
  'datapath_type=netdev',
];

const mtu = (ctx: BenchContext) => String(ctx.mtu);

function shellPlug(ctx: BenchContext, i: number): void {
  const v = vifNames(i);
  if (ctx.kind === 'plain') {
    vsctl(ctx, ensureBrArgs(ctx));
    vsctl(ctx, addPortArgs(ctx, i, v.tap));
    ip(ctx, 'link', 'set', v.tap, 'mtu', mtu(ctx));
    return;
  }
  const br = ctx.kind === 'hybrid' ? v.bridge : lbBridge(i);
  const ageing = ctx.kind === 'hybrid' ? ['ageing_time', '0'] : [];
  ip(
    ctx,
    'link',
    'add',
    br,
    'type',
    'bridge',
    ...ageing,
    'forward_delay',
    '0',
    'stp_state',
    '0',
    'mcast_snooping',
    '0',
  );
  for (const s of bridgeSysctls(br)) sysctl(ctx, [s]);
  ip(ctx, 'link', 'set', br, 'up');
  if (ctx.kind === 'linux_bridge') return;
  ip(ctx, 'link', 'add', v.qvb, 'type', 'veth', 'peer', 'name', v.qvo);
  for (const dev of [v.qvb, v.qvo]) {
    ip(ctx, 'link', 'set', dev, 'up');
    ip(ctx, 'link', 'set', dev, 'promisc', 'on');
    ip(ctx, 'link', 'set', dev, 'mtu', mtu(ctx));
  }
  ip(ctx, 'link', 'set', v.qvb, 'master', br);
  vsctl(ctx, ensureBrArgs(ctx));
  vsctl(ctx, addPortArgs(ctx, i, v.qvo));
  ip(ctx, 'link', 'set', v.qvo, 'mtu', mtu(ctx));
}

function shellUnplug(ctx: BenchContext, i: number): void {
  const v = vifNames(i);
  if (ctx.kind === 'plain') {
    vsctl(ctx, ['--if-exists', 'del-port', ctx.bridge, v.tap]);
    ip(ctx, 'link', 'del', v.tap);
  } else if (ctx.kind === 'hybrid') {
    ip(ctx, 'link', 'del', v.bridge);
    ip(ctx, 'link', 'set', v.qvb, 'down');
    vsctl(ctx, ['--if-exists', 'del-port', ctx.bridge, v.qvo]);
    ip(ctx, 'link', 'del', v.qvo);
  }
  // linux_bridge: os-vif's unplug does nothing
}

/** One process per step. */
export const shellMethod: Method = {
  id: 'shell',
  label: 'one process per step (ip, sysctl, ovs-vsctl)',
  family: 'baseline',
  oneAtATime: true,
  async unavailable() {
    return has('ovs-vsctl', ['--version']) && has('ip', ['-V']) ? undefined : 'ovs-vsctl or ip missing';
  },
  async open(ctx) {
    return {
      plug: () =>
        timed(() => {
          for (let i = 0; i < ctx.n; i++) shellPlug(ctx, i);
        }),
      unplug: () =>
        timed(() => {
          for (let i = 0; i < ctx.n; i++) shellUnplug(ctx, i);
        }),
      close: async () => undefined,
    };
  },
};

function floorPlug(ctx: BenchContext): void {
  const idx = ctx.vifs.map((_, i) => i);
  if (ctx.kind === 'plain') {
    vsctl(ctx, [...ensureBrArgs(ctx), ...idx.flatMap((i) => addPortArgs(ctx, i, vifNames(i).tap))]);
    ipBatch(
      ctx,
      idx.map((i) => `link set ${vifNames(i).tap} mtu ${ctx.mtu}`),
    );
    return;
  }
  if (ctx.kind === 'linux_bridge') {
    ipBatch(
      ctx,
      idx.flatMap((i) => [
        `link add ${lbBridge(i)} type bridge forward_delay 0 stp_state 0 mcast_snooping 0`,
        `link set ${lbBridge(i)} up`,
      ]),
    );
    sysctl(
      ctx,
      idx.flatMap((i) => bridgeSysctls(lbBridge(i))),
    );
    return;
  }
  ipBatch(
    ctx,
    idx.flatMap((i) => {
      const v = vifNames(i);
      return [
        `link add ${v.bridge} type bridge ageing_time 0 forward_delay 0 stp_state 0 mcast_snooping 0`,
        `link set ${v.bridge} up`,
        `link add ${v.qvb} type veth peer name ${v.qvo}`,
        `link set ${v.qvb} up promisc on mtu ${ctx.mtu}`,
        `link set ${v.qvo} up promisc on mtu ${ctx.mtu}`,
        `link set ${v.qvb} master ${v.bridge}`,
      ];
    }),
  );
  sysctl(
    ctx,
    idx.flatMap((i) => bridgeSysctls(vifNames(i).bridge)),
  );
  vsctl(ctx, [...ensureBrArgs(ctx), ...idx.flatMap((i) => addPortArgs(ctx, i, vifNames(i).qvo))]);
}

function floorUnplug(ctx: BenchContext): void {
  const idx = ctx.vifs.map((_, i) => i);
  if (ctx.kind === 'linux_bridge') return;
  const port = (i: number) => (ctx.kind === 'plain' ? vifNames(i).tap : vifNames(i).qvo);
  vsctl(
    ctx,
    idx.flatMap((i) => ['--', '--if-exists', 'del-port', ctx.bridge, port(i)]),
  );
  ipBatch(
    ctx,
    idx.flatMap((i) =>
      ctx.kind === 'plain'
        ? [`link del ${vifNames(i).tap}`]
        : [`link del ${vifNames(i).bridge}`, `link del ${vifNames(i).qvo}`],
    ),
  );
}

/** The floor. */
export const floorMethod: Method = {
  id: 'floor',
  label: 'floor: one ip -batch / one ovs-vsctl transaction',
  family: 'floor',
  unavailable: shellMethod.unavailable,
  async open(ctx) {
    return {
      plug: () => timed(() => floorPlug(ctx)),
      unplug: () => (ctx.kind === 'linux_bridge' ? Promise.resolve(0) : timed(() => floorUnplug(ctx))),
      close: async () => undefined,
    };
  },
};

function python(ctx: BenchContext, action: 'plug' | 'unplug'): number {
  const input = JSON.stringify({
    action,
    vifs: ctx.vifs.map((v) => v.toPrimitive()),
    instance_info: ctx.instance.toPrimitive(),
    config: ctx.dbRemote ? { os_vif_ovs: { ovsdb_connection: ctx.dbRemote } } : {},
  });
  const r = spawnSync('ip', ['netns', 'exec', ctx.ns, '/usr/bin/python3', PYOSVIF], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  let out: { ok?: boolean; ms?: number; error?: string } = {};
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as typeof out;
  } catch {
    // reported below
  }
  if (!out.ok || out.ms === undefined)
    throw new Error(
      `Python os-vif ${action}: ${out.error ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`}`,
    );
  return out.ms;
}

/** Python os-vif 3.0.0, in one process per batch, timed inside Python. */
export const pythonMethod: Method = {
  id: 'python',
  label: 'Python os-vif 3.0.0 (in process)',
  family: 'baseline',
  oneAtATime: true,
  async unavailable(kind: Kind) {
    const mod = kind === 'linux_bridge' ? 'vif_plug_linux_bridge.linux_bridge' : 'vif_plug_ovs.ovs';
    return has('/usr/bin/python3', ['-c', `import os_vif, ${mod}`])
      ? undefined
      : 'Python os-vif 3.0.0 is not installed (Debian python3-os-vif)';
  },
  async open(ctx) {
    return {
      plug: async () => python(ctx, 'plug'),
      unplug: async () => python(ctx, 'unplug'),
      close: async () => undefined,
    };
  },
};

/** The baselines, for `allMethods`. */
export const BASELINE_METHODS: readonly Method[] = [shellMethod, pythonMethod, floorMethod];
