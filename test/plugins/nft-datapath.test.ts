/**
 * What this library's linux_bridge forwarding rules do to real packets (issue 10), on the
 * datapath of test/harness/datapath.ts: a guest behind a bridge, a host namespace that sends
 * bridged IPv4 through FORWARD (br_netfilter) and either drops forwarded traffic by policy
 * (iptables-nft, as Docker leaves a host) or has no ruleset at all. For every case: the wiring is
 * proven first (all paths answer with the policy lifted), then the guest's paths are probed before
 * the plug, after it, and after a second plug, which must change no rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import {
  Datapath,
  describeReach,
  hasBrNetfilter,
  hasDatapathTools,
  kernelHasVlan,
} from '../harness/datapath.js';
import { isRoot } from '../harness/netns.js';
import { gatedTest } from './e2e-host.js';
import {
  BRIDGE,
  caseVif,
  type FilterCase,
  FLAT_CASES,
  INSTANCE,
  libraryPlugin,
  VLAN_CASE,
} from './nft-cases.js';

/** Why the datapath tests cannot run here, or undefined. */
export const datapathSkip = !isRoot
  ? 'needs root (network namespaces)'
  : !hasDatapathTools
    ? 'needs iptables (iptables-nft), nftables and iputils-ping'
    : !hasBrNetfilter()
      ? 'needs br_netfilter in the kernel (/proc/sys/net/bridge missing)'
      : undefined;

const dp = gatedTest('nftables datapath tests', datapathSkip);

/** A datapath for `c`, removed after the test, also on failure. */
export function datapathFor(t: ExecutionContext, c: FilterCase): Datapath {
  const d = Datapath.create({
    policy: c.policy,
    bridge: BRIDGE,
    ...(c.vlan === undefined ? {} : { vlan: c.vlan }),
  });
  t.teardown(() => d.destroy());
  return d;
}

/** A lock directory for one test, removed after it. */
export function lockDir(t: ExecutionContext): string {
  const dir = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function runCase(t: ExecutionContext, c: FilterCase): Promise<void> {
  const d = datapathFor(t, c);
  await d.assertWired();
  const before = await d.reach();
  t.deepEqual(before, c.before, `before the plug: ${describeReach(before)}`);
  const plugin = libraryPlugin(d.netns, c.options, lockDir(t));
  t.teardown(() => plugin.close());
  const rulesBefore = d.rulesetShape();
  await plugin.plug(caseVif(c), INSTANCE);
  const after = await d.reach();
  t.deepEqual(after, c.after, `after the plug: ${describeReach(after)}`);
  const rulesAfter = d.rulesetShape();
  if (c.filtering) t.is(rulesAfter, rulesBefore, 'has_traffic_filtering: the plug writes no rule');
  await plugin.plug(caseVif(c), INSTANCE);
  t.is(d.rulesetShape(), rulesAfter, 'a second plug changes no rule');
  const saved = d.iptablesSave();
  t.notRegex(saved, /incompatible|Warning/i, 'iptables-nft-save lists every table without complaint');
  if (c.policy === 'drop' && !c.filtering) {
    t.regex(
      saved,
      new RegExp(`-[io] ${BRIDGE.replace(/-/g, '\\-')} `),
      'iptables-nft-save lists the rules of the bridge',
    );
  }
  t.log(`after: ${describeReach(after)}`);
}

for (const c of FLAT_CASES)
  dp(`linux_bridge plug, ${c.title}: ${describeReach(c.after)}`, (t) => runCase(t, c));

const vlan = gatedTest(
  'nftables VLAN datapath tests',
  datapathSkip ?? (kernelHasVlan() ? undefined : 'needs 8021q in the kernel'),
);
vlan(`linux_bridge plug, ${VLAN_CASE.title}: ${describeReach(VLAN_CASE.after)}`, (t) =>
  runCase(t, VLAN_CASE),
);
