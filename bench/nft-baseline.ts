/**
 * The pieces of the nftables benchmark that do not depend on this library's nftables module:
 * Docker-like namespaces, os-vif 3.0.0's own rule cycle (Python, in process) and the report.
 *
 * The baseline is Python os-vif itself: `vif_plug_linux_bridge.linux_net._ensure_bridge_filtering`
 * (the flat path's rule step of every linux_bridge plug) for each bridge in turn, in one process,
 * inside the namespace. Each call is os-vif's whole cycle: the IptablesManager adds the bridge's
 * rules in memory, then under its `nova-iptables` lock runs `iptables-save -c`, rewrites every
 * managed table and feeds it all to `iptables-restore -c` (iptables-nft on Debian). Its cost grows
 * with the ruleset; Python's start-up is not counted (timed inside the process).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns } from '../src/netlink/index.js';

const PYTHON_SCRIPT = fileURLToPath(new URL('../../test/harness/pylinuxbridge.py', import.meta.url));
let namespaces = 0;

/** A Docker-like namespace (iptables-nft filter table, `-P FORWARD DROP`); `stop()` removes it. */
export async function dockerLikeNetns(): Promise<{ ns: string; stop(): Promise<void> }> {
  const ns = `ovt${process.pid}n${namespaces++}`;
  await createNetns(ns);
  const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-nft', '-P', 'FORWARD', 'DROP'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    await deleteNetns(ns).catch(() => undefined);
    throw new Error(`iptables-nft -P FORWARD DROP: ${r.stderr.trim()}`);
  }
  return { ns, stop: () => deleteNetns(ns).catch(() => undefined) };
}

/** Bridge names for the benchmark (the rules only name them; no device is made). */
export function benchBridges(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `brqb${String(i).padStart(5, '0')}-aa`);
}

/** True when Python os-vif's linux_bridge plugin and the iptables-nft tools are installed. */
export function hasPythonOsVif(): boolean {
  return (
    spawnSync('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_linux_bridge.linux_bridge']).status === 0 &&
    spawnSync('sh', ['-c', 'command -v iptables-save && command -v iptables-restore']).status === 0
  );
}

/** Per-bridge wall and CPU milliseconds. */
export interface PerBridge {
  ms: number[];
  cpuMs: number[];
}

/**
 * os-vif's rule cycle for each bridge in turn, in namespace `ns`: per-bridge wall milliseconds and
 * CPU milliseconds (Python and the iptables-save/-restore processes it ran).
 */
export function pythonCycles(ns: string, bridges: string[]): Promise<PerBridge> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', PYTHON_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const answer = JSON.parse(out.trim().split('\n').pop() ?? '') as {
          ok: boolean;
          ms?: number[];
          cpu_ms?: number[];
          error?: string;
        };
        if (answer.ok && answer.ms && answer.cpu_ms) resolve({ ms: answer.ms, cpuMs: answer.cpu_ms });
        else reject(new Error(`os-vif: ${answer.error}`));
      } catch {
        reject(new Error(`python exited ${code}: ${err.trim().split('\n').pop()}`));
      }
    });
    child.stdin.end(JSON.stringify({ action: 'filter', gateway: true, bridges }));
  });
}

/** How many iptables rules name each bridge (`-i BR` / `-o BR`) in `iptables-nft-save` of `ns`. */
export function iptablesRulesPerBridge(ns: string, bridges: string[]): number[] {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-nft-save'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const counts = new Map(bridges.map((b) => [b, 0]));
  for (const line of r.stdout.split('\n')) {
    const m = /^-A \S+ (?:.* )?-[io] (\S+) /.exec(line);
    if (m?.[1] && counts.has(m[1])) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return bridges.map((b) => counts.get(b) ?? 0);
}

/** One method's per-bridge costs. */
export interface Series {
  method: string;
  /** Milliseconds of each bridge, in order (absent for a method timed only as a whole). */
  perBridge?: number[];
  /** CPU milliseconds of each bridge, in order (when timed per bridge). */
  perBridgeCpu?: number[];
  /** Milliseconds of all bridges. */
  totalMs: number;
  /** CPU milliseconds of all bridges. */
  totalCpuMs: number;
  /** Whether the namespace held every bridge's rules afterwards. */
  verified: boolean;
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Milliseconds, short. */
export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/**
 * The report: per block of `block` bridges (by how many bridges already had rules), each method's
 * median per-bridge wall and CPU milliseconds; then totals and the ratio of the baseline to each.
 * CPU time is what the machine's load does not inflate: on a busy machine it shows the growth of
 * a cycle better than the wall time does.
 */
export function report(series: Series[], n: number, block: number, baseline?: string): string {
  const lines: string[] = [];
  const timed = series.filter((s) => s.perBridge && s.perBridgeCpu);
  lines.push(`per-bridge cost, median wall ms / median CPU ms, by bridges that already had rules (n = ${n})`);
  lines.push(['existing', ...timed.map((s) => s.method)].join(' | '));
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const cell = (s: Series) =>
      `${fmt(median((s.perBridge as number[]).slice(start, end)))} / ${fmt(median((s.perBridgeCpu as number[]).slice(start, end)))}`;
    lines.push([`${start}-${end - 1}`, ...timed.map(cell)].join(' | '));
  }
  const base = series.find((s) => s.method === baseline);
  lines.push('');
  lines.push(
    'method | total ms | per bridge ms | CPU per bridge ms | verified | baseline ÷ this (wall, CPU)',
  );
  for (const s of series) {
    const ratio = base
      ? `${(base.totalMs / s.totalMs).toFixed(1)}x, ${(base.totalCpuMs / s.totalCpuMs).toFixed(1)}x`
      : 'n/a';
    lines.push(
      [
        s.method,
        fmt(s.totalMs),
        fmt(s.totalMs / n),
        fmt(s.totalCpuMs / n),
        s.verified ? 'yes' : 'NO',
        ratio,
      ].join(' | '),
    );
  }
  return lines.join('\n');
}
