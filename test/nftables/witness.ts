/**
 * Witnesses of the nftables tests: `nft -j list ruleset` parsed (JSON, not text) and
 * `iptables-nft-save` / `iptables-nft -L -v`, run inside the test's namespace. The tools are
 * Debian's `nftables` and `iptables` (scripts/system-deps.sh installs them); without them (or
 * without root) the kernel tests skip, except in CI (env CI), where a missing tool fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import test from 'ava';
import { isRoot, type TestNetns } from '../harness/netns.js';

/**
 * The nftables `nft` by its path: under `npx ava`, node_modules/.bin comes first in PATH and
 * holds another `nft` (@vercel/nft, a dependency of ava).
 */
export const NFT = ['/usr/sbin/nft', '/sbin/nft'].find((p) => existsSync(p)) ?? '/usr/sbin/nft';

const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const tools = has(NFT) && has('iptables-nft');
const inCi = Boolean(process.env.CI);
if (!isRoot) console.log('nftables kernel tests skipped: they need root (network namespaces)');
else if (!tools && !inCi) console.log('nftables kernel tests skipped: install nftables and iptables');

/** `test` as root with the tools (in CI: whenever root), a skip otherwise. */
export const nftTest = isRoot && (tools || inCi) ? test : test.skip;

/** One rule of `nft -j list ruleset`. */
export interface JsonRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  comment?: string;
  expr: Array<Record<string, unknown>>;
}

/** One chain of `nft -j list ruleset`. */
export interface JsonChain {
  family: string;
  table: string;
  name: string;
  handle: number;
  type?: string;
  hook?: string;
  prio?: number;
  policy?: string;
}

/** The ruleset as `nft -j list ruleset` prints it, split by kind. */
export interface JsonRuleset {
  tables: Array<{ family: string; name: string; handle: number }>;
  chains: JsonChain[];
  rules: JsonRule[];
}

/** `nft -j list ruleset` in the namespace, parsed. */
export function nftRuleset(ns: TestNetns): JsonRuleset {
  const r = ns.exec(NFT, ['-j', 'list', 'ruleset']);
  if (r.status !== 0 || !r.stdout) throw new Error(`nft -j list ruleset: status ${r.status} ${r.stderr}`);
  const items = (JSON.parse(r.stdout) as { nftables: Array<Record<string, unknown>> }).nftables;
  const out: JsonRuleset = { tables: [], chains: [], rules: [] };
  for (const i of items) {
    if (i.table) out.tables.push(i.table as JsonRuleset['tables'][number]);
    if (i.chain) out.chains.push(i.chain as JsonChain);
    if (i.rule) out.rules.push(i.rule as JsonRule);
  }
  return out;
}

/** A rule of the JSON listing in a short form: `iifname br0 oifname eth1 counter accept`. */
export function ruleText(r: JsonRule): string {
  return r.expr
    .map((e) => {
      const match = e.match as { left: { meta?: { key: string } }; right: unknown } | undefined;
      if (match) return `${match.left.meta?.key ?? '?'} ${String(match.right)}`;
      if ('counter' in e) return 'counter';
      if ('accept' in e) return 'accept';
      if ('drop' in e) return 'drop';
      if ('jump' in e) return `jump ${(e.jump as { target: string }).target}`;
      if ('reject' in e) return 'reject';
      if ('xt' in e) return `xt ${(e.xt as { name: string }).name}`;
      return JSON.stringify(e);
    })
    .join(' ');
}

/** Runs a command in the namespace and returns stdout; throws with stderr on failure. */
export function run(ns: TestNetns, cmd: string, args: string[]): string {
  const r = ns.exec(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `iptables-nft-save` lines (comments and counters dropped); stderr must be empty. */
export function iptablesSave(ns: TestNetns): { lines: string[]; stderr: string } {
  const r = ns.exec('iptables-nft-save', []);
  if (r.status !== 0) throw new Error(`iptables-nft-save: ${r.stderr}`);
  return { lines: r.stdout.split('\n').filter((l) => l && !l.startsWith('#')), stderr: r.stderr };
}
