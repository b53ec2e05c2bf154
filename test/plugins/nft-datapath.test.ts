/**
 * What the linux_bridge forwarding rules do to real packets (issue 10), on the datapath of
 * test/harness/datapath.ts: a guest behind a bridge, a host namespace that sends bridged IPv4
 * through FORWARD (br_netfilter) and either drops forwarded traffic by policy (iptables-nft, as
 * Docker leaves a host) or has no ruleset at all.
 *
 * Every case runs on two twin datapaths at once: this library plugs the VIF in one, Python os-vif
 * 3.0.0 (its iptables manager: iptables-save/iptables-restore, iptables-nft here) plugs the same
 * VIF with the same options in the other. First the wiring is proven (every path answers with the
 * policy lifted), then the guest's paths are probed before the plug, after it, and after a second
 * plug of ours, which must change no rule. Both hosts must meet the case's expected outcomes and
 * the same reachability: reachability is compared, not rule text. Without python3-os-vif the
 * Python twin is left out, and the test says so.
 *
 * The VLAN path: os-vif 3.0.0's plug raises TypeError one call before its rules (os-vif-model.md
 * §6.2); its twin checks that, then runs os-vif's own rule step for that path
 * (`_ensure_bridge_filtering(BR, None)`). A VLAN plug needs 8021q in the kernel; where it is
 * missing (as on the development VMs) the same rules are still proven on the flat wiring, written
 * through os-vif/nftables (`BridgeFirewall.ensure(BR, {kind: 'isolated'})`, what the plugin's
 * VLAN path calls) against os-vif's own rule step.
 */
import test, { type ExecutionContext } from 'ava';
import { BridgeFirewall } from '../../src/nftables/index.js';
import {
  type Datapath,
  describeReach,
  duplicateRules,
  kernelHasVlan,
  type Reachability,
} from '../harness/datapath.js';
import { hasPythonLinuxBridge, PythonLinuxBridge } from '../harness/pylinuxbridge.js';
import { gatedTest } from './e2e-host.js';
import {
  BRIDGE,
  caseVif,
  datapathFor,
  datapathSkip,
  type FilterCase,
  FLAT_CASES,
  INSTANCE,
  libraryPlugin,
  lockDir,
  VLAN_CASE,
} from './nft-cases.js';

const dp = gatedTest('nftables datapath tests', datapathSkip);

let python: PythonLinuxBridge | undefined;
// ava's own hook: `dp` may be test.skip (no root), which has no hooks
test.after.always(() => python?.stop());

/** At most three cases at once: each runs ten namespaces and a Python process on a 2-core machine. */
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Python os-vif plugs the case's VIF on `py` (and, on the VLAN path, runs its rule step). */
async function pythonPlug(t: ExecutionContext, py: Datapath, c: FilterCase): Promise<void> {
  const config = { os_vif_linux_bridge: c.options };
  python ??= PythonLinuxBridge.start();
  const answer = await python.call({
    netns: py.netns,
    action: 'plug',
    vif: caseVif(c).toPrimitive(),
    instance_info: INSTANCE.toPrimitive(),
    config,
  });
  if (c.vlan === undefined) {
    t.deepEqual(answer, { ok: true }, 'Python os-vif plugs');
    return;
  }
  t.regex(answer.error ?? '', /TypeError/, 'os-vif 3.0.0 fails on the VLAN path before its rules');
  const rules = await python.call({
    netns: py.netns,
    action: 'filter',
    bridges: [BRIDGE],
    gateway: false,
    config,
  });
  t.true(rules.ok, `os-vif's VLAN rule step: ${rules.error ?? 'ok'}`);
}

async function runCase(t: ExecutionContext, c: FilterCase): Promise<void> {
  const ts = datapathFor(t, c);
  const py = hasPythonLinuxBridge ? datapathFor(t, c) : undefined;
  if (!py) t.log('python3-os-vif is not installed: the Python twin is left out');
  await Promise.all([ts.assertWired(), py?.assertWired()]);
  const before = await ts.reach();
  t.deepEqual(before, c.before, `before the plug: ${describeReach(before)}`);
  const plugin = libraryPlugin(ts.netns, c.options, lockDir(t));
  t.teardown(() => plugin.close());
  const rulesBefore = ts.rulesetShape();
  await Promise.all([plugin.plug(caseVif(c), INSTANCE), py && pythonPlug(t, py, c)]);
  const [after, pyAfter] = (await Promise.all([ts.reach(), py?.reach()])) as [Reachability, Reachability?];
  t.log(
    `this library: ${describeReach(after)}${pyAfter ? `; Python os-vif: ${describeReach(pyAfter)}` : ''}`,
  );
  if (pyAfter) {
    t.deepEqual(pyAfter, c.after, 'Python os-vif bears out the expected outcomes');
    t.deepEqual(after, pyAfter, 'this library: the same reachability as Python os-vif');
  } else {
    t.deepEqual(after, c.after, 'this library: the expected outcomes');
  }
  const rulesAfter = ts.rulesetShape();
  if (c.filtering) t.is(rulesAfter, rulesBefore, 'has_traffic_filtering: the plug writes no rule');
  else t.not(rulesAfter, rulesBefore, 'the plug writes rules');
  await plugin.plug(caseVif(c), INSTANCE);
  t.is(ts.rulesetShape(), rulesAfter, 'a second plug changes no rule');
  const saved = ts.iptablesSave();
  t.notRegex(saved, /incompatible|Warning/i, 'iptables-nft-save lists every table without complaint');
  t.deepEqual(duplicateRules(saved), [], 'iptables-nft-save lists no jump twice');
  if (c.policy === 'drop' && !c.filtering) {
    t.regex(
      saved,
      new RegExp(`-[io] ${BRIDGE.replace(/-/g, '\\-')} `),
      "iptables-nft-save lists the bridge's rules (they live in iptables-nft's filter table)",
    );
  }
}

for (const c of FLAT_CASES)
  dp(`linux_bridge plug, ${c.title}: ${describeReach(c.after)}`, (t) => limited(() => runCase(t, c)));

const vlan = gatedTest(
  'nftables VLAN datapath tests',
  datapathSkip ?? (kernelHasVlan() ? undefined : 'needs 8021q in the kernel'),
);
vlan(`linux_bridge plug, ${VLAN_CASE.title}: ${describeReach(VLAN_CASE.after)}`, (t) =>
  limited(() => runCase(t, VLAN_CASE)),
);

dp(
  `os-vif's VLAN-path rules through os-vif/nftables on the flat wiring (any kernel), twinned with os-vif's own rule step: ${describeReach(VLAN_CASE.after)}`,
  (t) =>
    limited(async () => {
      const c: FilterCase = { ...VLAN_CASE, title: 'VLAN-path rules on the flat wiring' };
      delete c.vlan;
      const ts = datapathFor(t, c);
      const py = hasPythonLinuxBridge ? datapathFor(t, c) : undefined;
      await Promise.all([ts.assertWired(), py?.assertWired()]);
      t.deepEqual(await ts.reach(), c.before, 'before the rules');
      const fw = await BridgeFirewall.open({ netns: ts.netns });
      t.teardown(() => fw.close());
      python ??= PythonLinuxBridge.start();
      const pyRules = python;
      const [, answer] = await Promise.all([
        fw.ensure(BRIDGE, { kind: 'isolated', dropAction: 'DROP' }),
        py && pyRules.call({ netns: py.netns, action: 'filter', bridges: [BRIDGE], gateway: false }),
      ]);
      if (py) t.true(answer?.ok, `os-vif's VLAN rule step: ${answer?.error ?? 'ok'}`);
      const [after, pyAfter] = (await Promise.all([ts.reach(), py?.reach()])) as [
        Reachability,
        Reachability?,
      ];
      t.log(
        `this library: ${describeReach(after)}${pyAfter ? `; Python os-vif: ${describeReach(pyAfter)}` : ''}`,
      );
      if (pyAfter) t.deepEqual(pyAfter, c.after, 'Python os-vif bears out the expected outcomes');
      t.deepEqual(after, pyAfter ?? c.after, 'this library: the same reachability as Python os-vif');
    }),
);
