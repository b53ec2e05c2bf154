/**
 * The linux_bridge plugin's filter rules end to end, in namespaces of their own, with
 * `iptables-nft-save` and `nft -j list ruleset` as witnesses: os-vif's gateway rules on the flat
 * path of a VIF without has_traffic_filtering, once per bridge; none with it; an
 * iptables-legacy namespace refused before anything changes; a failing rule write rolls the
 * bridge back; a drop action this library cannot write refused as InvalidConfig.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { Locks } from '../../src/concurrency/index.js';
import { FirewallBackendUnsupported } from '../../src/nftables/index.js';
import { hostFactory, LinuxBridgePlugin } from '../../src/plugins/index.js';
import { InvalidConfig, objects } from '../../src/vif/index.js';
import { TestNetns } from '../harness/netns.js';
import { iptablesSave, nftRuleset, nftTest, run } from '../nftables/witness.js';
import { INSTANCE, net } from './e2e-host.js';

const BR = 'brq7a9b8c6d-5e';

const vif = (hasTrafficFiltering: boolean) =>
  new objects.VIFBridge({
    id: '7a9b8c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    address: 'fa:16:3e:7c:2a:0b',
    plugin: 'linux_bridge',
    vif_name: 'tap7a9b8c6d-5e',
    bridge_name: BR,
    has_traffic_filtering: hasTrafficFiltering,
    network: net(BR, { should_provide_bridge: true, bridge_interface: 'eth-nic', mtu: 1400 }),
  });

interface Host {
  ns: TestNetns;
  plugin(config?: Record<string, unknown>): LinuxBridgePlugin;
}

/** A namespace with iptables-nft's FORWARD policy DROP (as Docker leaves a host) and an uplink. */
function host(t: ExecutionContext, setup: (ns: TestNetns) => void = dockerLike): Host {
  const ns = TestNetns.create();
  const lockPath = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  const plugins: LinuxBridgePlugin[] = [];
  t.teardown(async () => {
    for (const p of plugins) await p.close().catch(() => undefined);
    ns.destroy();
    rmSync(lockPath, { recursive: true, force: true });
  });
  ns.ip('link', 'add', 'eth-nic', 'type', 'veth', 'peer', 'name', 'eth-far');
  setup(ns);
  const locks = new Locks({ lock_path: lockPath });
  return {
    ns,
    plugin(config = {}) {
      const p = new LinuxBridgePlugin(config, hostFactory({ netns: ns.name }), locks);
      plugins.push(p);
      return p;
    },
  };
}

function dockerLike(ns: TestNetns): void {
  run(ns, 'iptables-nft', ['-P', 'FORWARD', 'DROP']);
  run(ns, 'iptables-nft', ['-N', 'DOCKER-USER']);
  run(ns, 'iptables-nft', ['-A', 'FORWARD', '-j', 'DOCKER-USER']);
  run(ns, 'iptables-nft', ['-A', 'DOCKER-USER', '-j', 'RETURN']);
}

const ours = (ns: TestNetns) => iptablesSave(ns).lines.filter((l) => l.includes('os-vif'));

nftTest(
  'flat path, forward_bridge_interface=all: os-vif gateway rules, jumped to from the top of FORWARD; a second plug adds nothing',
  async (t) => {
    const h = host(t);
    const lb = h.plugin();
    await lb.plug(vif(false), INSTANCE);
    t.deepEqual(ours(h.ns), [
      `:os-vif-br-${BR} - [0:0]`,
      ':os-vif-filter-top - [0:0]',
      '-A FORWARD -m comment --comment os-vif -j os-vif-filter-top',
      `-A os-vif-br-${BR} -i ${BR} -m comment --comment "os-vif:${BR}" -j ACCEPT`,
      `-A os-vif-br-${BR} -o ${BR} -m comment --comment "os-vif:${BR}" -j ACCEPT`,
      `-A os-vif-br-${BR} -o ${BR} -m comment --comment "os-vif:${BR}" -j DROP`,
      `-A os-vif-filter-top -m comment --comment "os-vif:${BR}" -j os-vif-br-${BR}`,
    ]);
    t.is(
      iptablesSave(h.ns).lines.filter((l) => l.startsWith('-A FORWARD'))[0],
      '-A FORWARD -m comment --comment os-vif -j os-vif-filter-top',
    );
    const once = nftRuleset(h.ns);
    await lb.plug(vif(false), INSTANCE);
    await h.plugin().plug(vif(false), INSTANCE); // another plugin instance (as another process would)
    t.deepEqual(nftRuleset(h.ns), once, 'the ruleset is unchanged: handles included');
    await lb.unplug(vif(false), INSTANCE);
    t.deepEqual(nftRuleset(h.ns), once, 'unplug leaves the rules, as the bridge stays (os-vif)');
  },
);

nftTest('flat path, a list of interfaces and REJECT: per-interface accepts, then rejects', async (t) => {
  const h = host(t);
  await h
    .plugin({ forward_bridge_interface: ['eth-nic'], iptables_drop_action: 'REJECT' })
    .plug(vif(false), INSTANCE);
  const rules = ours(h.ns).filter((l) => l.startsWith(`-A os-vif-br-`));
  t.deepEqual(
    rules.map((l) =>
      l.replace(` -m comment --comment "os-vif:${BR}"`, '').replace(`-A os-vif-br-${BR} `, ''),
    ),
    [
      `-i ${BR} -o eth-nic -j ACCEPT`,
      `-i eth-nic -o ${BR} -j ACCEPT`,
      `-i ${BR} -o ${BR} -j ACCEPT`,
      `-i ${BR} -j REJECT --reject-with icmp-port-unreachable`,
      `-o ${BR} -j REJECT --reject-with icmp-port-unreachable`,
      `-o ${BR} -j REJECT --reject-with icmp-port-unreachable`,
    ],
  );
});

nftTest('has_traffic_filtering: no rules (Neutron filters)', async (t) => {
  const h = host(t);
  await h.plugin().plug(vif(true), INSTANCE);
  t.deepEqual(ours(h.ns), []);
  t.truthy(h.ns.link(BR));
});

nftTest('no iptables-nft filter table: the rules go into table ip os-vif', async (t) => {
  const h = host(t, () => undefined);
  await h.plugin().plug(vif(false), INSTANCE);
  const rs = nftRuleset(h.ns);
  t.deepEqual(
    rs.tables.map((x) => `${x.family} ${x.name}`),
    ['ip os-vif'],
  );
  t.is(rs.rules.filter((r) => r.comment === `os-vif:${BR}`).length, 4);
});

nftTest('iptables-legacy namespace: FirewallBackendUnsupported before anything changes', async (t) => {
  const h = host(t, (ns) => run(ns, 'iptables-legacy', ['-P', 'FORWARD', 'DROP']));
  const before = h.ns.links().map((l) => l.ifname);
  await t.throwsAsync(h.plugin().plug(vif(false), INSTANCE), { instanceOf: FirewallBackendUnsupported });
  t.deepEqual(
    h.ns.links().map((l) => l.ifname),
    before,
    'no bridge was created',
  );
  t.deepEqual(nftRuleset(h.ns).tables, []);
  // a VIF Neutron filters needs no rules: it plugs
  await h.plugin().plug(vif(true), INSTANCE);
  t.truthy(h.ns.link(BR));
});

nftTest('a rule write failing rolls back the bridge the plug created', async (t) => {
  const h = host(t);
  const real = hostFactory({ netns: h.ns.name });
  const failing = {
    ...real,
    firewall: async () => {
      const fw = await real.firewall();
      return {
        placement: () => fw.placement(),
        ensure: async () => {
          throw new Error('injected: rule write failed');
        },
        close: () => fw.close(),
      };
    },
  };
  const lb = new LinuxBridgePlugin({}, failing, new Locks({ disable_process_locking: true }));
  t.teardown(() => lb.close());
  await t.throwsAsync(lb.plug(vif(false), INSTANCE), { message: /injected/ });
  t.is(h.ns.link(BR), undefined);
  t.deepEqual(ours(h.ns), []);
});

nftTest('an iptables_drop_action this library cannot write is InvalidConfig at load', (t) => {
  const h = host(t, () => undefined);
  const e = t.throws(() => h.plugin({ iptables_drop_action: 'LOG' }), { instanceOf: InvalidConfig });
  t.regex(e?.message ?? '', /iptables_drop_action/);
  t.throws(() => h.plugin({ forward_bridge_interface: ['bad name'] }), { instanceOf: InvalidConfig });
  t.notThrows(() => h.plugin({ forward_bridge_interface: ['eth+', 'all'] }));
});
