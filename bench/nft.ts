/**
 * Forwarding rules for many bridges (issue 10): os-vif's linux_bridge rules (the flat path's
 * gateway rules, `forward_bridge_interface = all`) for N bridges in a Docker-like namespace
 * (iptables-nft's filter table with `-P FORWARD DROP`), in one run:
 *
 * - os-vif 3.0.0 itself (Python, in process, start-up not counted): its iptables-save → rewrite →
 *   iptables-restore cycle per bridge, which rewrites the whole table every time (bench/nft-baseline.ts);
 * - this library's `BridgeFirewall.ensure`, one nf_tables batch per bridge, one bridge after the other;
 * - the same with every bridge in flight at once.
 *
 * Each method starts from a fresh namespace and is checked afterwards: `iptables-nft-save` must
 * list every bridge's three rules. The table gives each method's median per-bridge cost, wall
 * and CPU, by how many bridges already had rules (flat for nf_tables batches, growing for the
 * iptables cycle). CPU time counts Python with its iptables processes, and this process (where
 * the kernel's nf_tables work runs, inside sendmsg); the load of a busy machine inflates the
 * wall time, much less the CPU time.
 *
 *   npm run bench:nft                  # N = 500
 *   node dist/bench/nft.js --n 200     # another N
 *   node dist/bench/nft.js --no-python # this library only
 *   node dist/bench/nft.js --json
 */
import { parseArgs } from 'node:util';
import { type BridgeFilterCase, BridgeFirewall } from '../src/nftables/index.js';
import {
  benchBridges,
  dockerLikeNetns,
  hasPythonOsVif,
  iptablesRulesPerBridge,
  pythonCycles,
  report,
  type Series,
} from './nft-baseline.js';

const GATEWAY_ALL: BridgeFilterCase = { kind: 'gateway', forwardInterfaces: ['all'], dropAction: 'DROP' };
const BASELINE = 'os-vif 3.0.0 iptables-save/restore per bridge';

/** One method in a fresh Docker-like namespace. */
async function inNetns(
  method: string,
  bridges: string[],
  run: (ns: string) => Promise<Omit<Series, 'method' | 'verified'>>,
): Promise<Series> {
  const box = await dockerLikeNetns();
  try {
    const timed = await run(box.ns);
    const verified = iptablesRulesPerBridge(box.ns, bridges).every((c) => c === 3);
    return { method, ...timed, verified };
  } finally {
    await box.stop();
  }
}

/** CPU milliseconds of this process so far (the kernel's nf_tables work runs in it, in sendmsg). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function oneByOne(ns: string, bridges: string[]): Promise<Omit<Series, 'method' | 'verified'>> {
  const fw = await BridgeFirewall.open({ netns: ns });
  try {
    const perBridge: number[] = [];
    const perBridgeCpu: number[] = [];
    const [t0, c0] = [performance.now(), cpuMs()];
    for (const b of bridges) {
      const [t, c] = [performance.now(), cpuMs()];
      await fw.ensure(b, GATEWAY_ALL);
      perBridge.push(performance.now() - t);
      perBridgeCpu.push(cpuMs() - c);
    }
    return { perBridge, perBridgeCpu, totalMs: performance.now() - t0, totalCpuMs: cpuMs() - c0 };
  } finally {
    fw.close();
  }
}

async function allInFlight(ns: string, bridges: string[]): Promise<Omit<Series, 'method' | 'verified'>> {
  const fw = await BridgeFirewall.open({ netns: ns });
  try {
    const [t0, c0] = [performance.now(), cpuMs()];
    await Promise.all(bridges.map((b) => fw.ensure(b, GATEWAY_ALL)));
    return { totalMs: performance.now() - t0, totalCpuMs: cpuMs() - c0 };
  } finally {
    fw.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '500' },
      'no-python': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, not ${values.n}`);
  const bridges = benchBridges(n);
  const series: Series[] = [];
  const python = !values['no-python'] && hasPythonOsVif();
  if (python) {
    series.push(
      await inNetns(BASELINE, bridges, async (ns) => {
        const { ms, cpuMs: cpu } = await pythonCycles(ns, bridges);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        return { perBridge: ms, perBridgeCpu: cpu, totalMs: sum(ms), totalCpuMs: sum(cpu) };
      }),
    );
  }
  series.push(
    await inNetns('nf_tables, one batch per bridge, in turn', bridges, (ns) => oneByOne(ns, bridges)),
  );
  series.push(await inNetns(`nf_tables, ${n} batches in flight`, bridges, (ns) => allInFlight(ns, bridges)));
  if (values.json) {
    console.log(JSON.stringify({ n, series }, null, 2));
  } else {
    if (!python) console.log('(Python os-vif not run: --no-python, or python3-os-vif/iptables missing)');
    console.log(report(series, n, Math.max(1, Math.round(n / 5)), python ? BASELINE : undefined));
  }
  if (series.some((s) => !s.verified)) process.exitCode = 1;
}

await main();
