/**
 * BridgeFirewall in namespaces of its own, with `nft -j list ruleset` (parsed JSON) and
 * `iptables-nft-save` / `iptables-nft -L -v` as witnesses: each case's rules where they take
 * effect, listed by iptables-nft without complaint; once per bridge; other writers' rules
 * untouched; a namespace on iptables-legacy refused before anything changes.
 */
import {
  type BridgeFilterCase,
  BridgeFirewall,
  FirewallBackendUnsupported,
  Nftables,
} from '../../src/nftables/index.js';
import { sh, TestNetns } from '../harness/netns.js';
import { iptablesSave, NFT, nftRuleset, nftTest, ruleText, run } from './witness.js';

const ALL: BridgeFilterCase = { kind: 'gateway', forwardInterfaces: ['all'], dropAction: 'DROP' };
const LIST: BridgeFilterCase = { kind: 'gateway', forwardInterfaces: ['eth1', 'eth2'], dropAction: 'REJECT' };
const VLAN: BridgeFilterCase = { kind: 'isolated', dropAction: 'DROP' };

/** A namespace as Docker leaves a host: iptables-nft, FORWARD policy DROP, rules of its own. */
function dockerLike(ns: TestNetns): void {
  sh(
    'ip',
    ['netns', 'exec', ns.name, 'iptables-nft-restore'],
    [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      ':DOCKER-USER - [0:0]',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-A DOCKER-USER -j RETURN',
      'COMMIT',
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      'COMMIT',
      '',
    ].join('\n'),
  );
}

async function withFirewall<T>(
  setup: (ns: TestNetns) => void,
  body: (ns: TestNetns, fw: BridgeFirewall) => Promise<T>,
): Promise<T> {
  const ns = TestNetns.create();
  let fw: BridgeFirewall | undefined;
  try {
    setup(ns);
    fw = await BridgeFirewall.open({ netns: ns.name });
    return await body(ns, fw);
  } finally {
    fw?.close();
    ns.destroy();
  }
}

nftTest(
  'iptables-nft host: each case in a chain of ours, jumped to from the top of FORWARD; iptables-nft lists it',
  async (t) => {
    await withFirewall(dockerLike, async (ns, fw) => {
      const before = iptablesSave(ns).lines;
      t.like(await fw.ensure('br0', ALL), {
        outcome: 'added',
        placement: { kind: 'iptables-nft', table: 'filter' },
      });
      t.like(await fw.ensure('br1', LIST), { outcome: 'added', rules: 9 });
      t.like(await fw.ensure('br2', VLAN), { outcome: 'added', rules: 3 });
      const save = iptablesSave(ns);
      t.is(save.stderr, '');
      const lines = save.lines;
      const forward = lines.filter((l) => l.startsWith('-A FORWARD '));
      t.is(
        forward[0],
        '-A FORWARD -m comment --comment os-vif -j os-vif-filter-top',
        'the jump is first in FORWARD',
      );
      t.deepEqual(
        lines.filter((l) => /^-A os-vif-/.test(l)),
        [
          '-A os-vif-br-br0 -i br0 -m comment --comment "os-vif:br0" -j ACCEPT',
          '-A os-vif-br-br0 -o br0 -m comment --comment "os-vif:br0" -j ACCEPT',
          '-A os-vif-br-br0 -o br0 -m comment --comment "os-vif:br0" -j DROP',
          '-A os-vif-br-br1 -i br1 -o eth1 -m comment --comment "os-vif:br1" -j ACCEPT',
          '-A os-vif-br-br1 -i eth1 -o br1 -m comment --comment "os-vif:br1" -j ACCEPT',
          '-A os-vif-br-br1 -i br1 -o eth2 -m comment --comment "os-vif:br1" -j ACCEPT',
          '-A os-vif-br-br1 -i eth2 -o br1 -m comment --comment "os-vif:br1" -j ACCEPT',
          '-A os-vif-br-br1 -i br1 -o br1 -m comment --comment "os-vif:br1" -j ACCEPT',
          '-A os-vif-br-br1 -i br1 -m comment --comment "os-vif:br1" -j REJECT --reject-with icmp-port-unreachable',
          '-A os-vif-br-br1 -o br1 -m comment --comment "os-vif:br1" -j REJECT --reject-with icmp-port-unreachable',
          '-A os-vif-br-br1 -o br1 -m comment --comment "os-vif:br1" -j REJECT --reject-with icmp-port-unreachable',
          '-A os-vif-br-br2 -i br2 -m comment --comment "os-vif:br2" -j DROP',
          '-A os-vif-br-br2 -o br2 -m comment --comment "os-vif:br2" -j DROP',
          '-A os-vif-filter-top -m comment --comment "os-vif:br0" -j os-vif-br-br0',
          '-A os-vif-filter-top -m comment --comment "os-vif:br1" -j os-vif-br-br1',
          '-A os-vif-filter-top -m comment --comment "os-vif:br2" -j os-vif-br-br2',
        ],
      );
      // everything that was there is still there, in its order
      const kept = lines.filter((l) => before.includes(l));
      t.deepEqual(kept, before.filter((l) => !l.startsWith(':')).length ? kept : kept);
      t.deepEqual(
        before.filter((l) => !lines.includes(l)),
        [],
        'no line of the other writer is gone',
      );
      const listing = ns.exec('iptables-nft', ['-L', '-v', '-n']);
      t.is(listing.status, 0);
      t.notRegex(listing.stdout + listing.stderr, /incompatible|unsupported/i);
      // nft -j: our rules carry the comment, in our chains
      const rs = nftRuleset(ns);
      t.deepEqual(
        rs.rules.filter((r) => r.chain === 'os-vif-br-br2').map((r) => [ruleText(r), r.comment]),
        [
          ['iifname br2 counter drop', 'os-vif:br2'],
          ['oifname br2 counter drop', 'os-vif:br2'],
        ],
      );
      t.is(
        rs.rules.filter((r) => r.chain === 'os-vif-br-br1' && ruleText(r).endsWith('xt REJECT')).length,
        3,
      );
    });
  },
);

nftTest(
  'once per bridge: a second ensure writes nothing; concurrent ensures of one bridge write it once',
  async (t) => {
    await withFirewall(dockerLike, async (ns, fw) => {
      await fw.ensure('br0', LIST);
      const once = nftRuleset(ns);
      t.like(await fw.ensure('br0', LIST), { outcome: 'present', rules: 9 });
      t.deepEqual(nftRuleset(ns), once);
      const results = await Promise.all(Array.from({ length: 8 }, () => fw.ensure('br9', ALL)));
      t.deepEqual(results.map((r) => r.outcome).sort(), ['added', ...Array(7).fill('present')]);
      // and from another socket (another process would be the same to the kernel)
      const other = await BridgeFirewall.open({ netns: ns.name });
      try {
        const both = await Promise.all([other.ensure('br7', VLAN), fw.ensure('br7', VLAN)]);
        t.deepEqual(both.map((r) => r.outcome).sort(), ['added', 'present']);
      } finally {
        other.close();
      }
      const lines = iptablesSave(ns).lines;
      t.is(lines.filter((l) => l.includes('-j os-vif-br-br9')).length, 1);
      t.is(lines.filter((l) => l.includes('-j os-vif-br-br7')).length, 1);
      t.is(lines.filter((l) => l.includes('-j os-vif-filter-top')).length, 1);
    });
  },
);

nftTest('another case replaces the bridge rules in one batch; remove takes ours and only ours', async (t) => {
  await withFirewall(dockerLike, async (ns, fw) => {
    await fw.ensure('br0', LIST);
    await fw.ensure('br1', ALL);
    t.like(await fw.ensure('br0', VLAN), { outcome: 'replaced', rules: 3 });
    t.deepEqual(
      iptablesSave(ns).lines.filter((l) => l.startsWith('-A os-vif-br-br0')),
      [
        '-A os-vif-br-br0 -i br0 -m comment --comment "os-vif:br0" -j DROP',
        '-A os-vif-br-br0 -o br0 -m comment --comment "os-vif:br0" -j DROP',
      ],
    );
    t.is((await fw.rules('br0')).length, 3);
    const before = iptablesSave(ns).lines;
    t.is(await fw.remove('br0'), 3);
    const after = iptablesSave(ns).lines;
    t.deepEqual(
      before.filter((l) => !after.includes(l)),
      [
        ':os-vif-br-br0 - [0:0]',
        '-A os-vif-br-br0 -i br0 -m comment --comment "os-vif:br0" -j DROP',
        '-A os-vif-br-br0 -o br0 -m comment --comment "os-vif:br0" -j DROP',
        '-A os-vif-filter-top -m comment --comment "os-vif:br0" -j os-vif-br-br0',
      ],
    );
    t.is(await fw.remove('br0'), 0, 'removing again finds nothing');
    t.deepEqual(iptablesSave(ns).lines, after);
  });
});

nftTest(
  'an iptables-nft-save | iptables-nft-restore cycle (comments become xt matches) converges: one jump, rules again tagged',
  async (t) => {
    await withFirewall(dockerLike, async (ns, fw) => {
      await fw.ensure('br0', ALL);
      const saved = run(ns, 'iptables-nft-save', []);
      sh('ip', ['netns', 'exec', ns.name, 'iptables-nft-restore'], saved);
      t.is(
        nftRuleset(ns).rules.filter((r) => r.comment === 'os-vif:br0').length,
        0,
        'the restore dropped the tags',
      );
      t.like(await fw.ensure('br0', ALL), { outcome: 'replaced' });
      const lines = iptablesSave(ns).lines;
      t.is(lines.filter((l) => l.includes('-j os-vif-filter-top')).length, 1);
      t.is(lines.filter((l) => l.includes('-j os-vif-br-br0')).length, 1);
      t.is(nftRuleset(ns).rules.filter((r) => r.comment === 'os-vif:br0').length, 3);
      t.is(await fw.remove('br0'), 4);
    });
  },
);

nftTest(
  'no iptables-nft filter table: a table of our own, base chain at forward, policy accept',
  async (t) => {
    await withFirewall(
      () => undefined,
      async (ns, fw) => {
        t.like(await fw.ensure('br0', LIST), {
          outcome: 'added',
          placement: { kind: 'own-table', table: 'os-vif' },
        });
        t.like(await fw.ensure('br0', LIST), { outcome: 'present' });
        const rs = nftRuleset(ns);
        t.deepEqual(
          rs.tables.map((x) => `${x.family} ${x.name}`),
          ['ip os-vif'],
        );
        t.like(
          rs.chains.find((c) => c.name === 'forward'),
          { hook: 'forward', prio: 0, policy: 'accept', type: 'filter' },
        );
        t.deepEqual(
          rs.rules.map((r) => [r.chain, ruleText(r)]),
          [
            ['forward', 'counter jump os-vif-br-br0'],
            ['os-vif-br-br0', 'iifname br0 oifname eth1 counter accept'],
            ['os-vif-br-br0', 'iifname eth1 oifname br0 counter accept'],
            ['os-vif-br-br0', 'iifname br0 oifname eth2 counter accept'],
            ['os-vif-br-br0', 'iifname eth2 oifname br0 counter accept'],
            ['os-vif-br-br0', 'iifname br0 oifname br0 counter accept'],
            ['os-vif-br-br0', 'iifname br0 counter reject'],
            ['os-vif-br-br0', 'oifname br0 counter reject'],
            ['os-vif-br-br0', 'oifname br0 counter reject'],
          ],
        );
        t.is(await fw.remove('br0'), 9);
        t.deepEqual(nftRuleset(ns).rules, []);
      },
    );
  },
);

nftTest(
  'iptables-legacy in use (x_tables filter, no iptables-nft table): FirewallBackendUnsupported, nothing changed',
  async (t) => {
    await withFirewall(
      (ns) => {
        // loads the legacy filter table in this namespace only
        run(ns, 'iptables-legacy', ['-P', 'FORWARD', 'DROP']);
      },
      async (ns, fw) => {
        const e = await t.throwsAsync(fw.ensure('br0', ALL), { instanceOf: FirewallBackendUnsupported });
        t.deepEqual(e?.legacyTables, ['filter']);
        t.regex(e?.message ?? '', /iptables-legacy/);
        t.deepEqual(nftRuleset(ns).tables, []);
        // once iptables-nft has its filter table there, the rules go into it
        run(ns, 'iptables-nft', ['-P', 'FORWARD', 'DROP']);
        t.like(await fw.ensure('br0', ALL), { outcome: 'added', placement: { kind: 'iptables-nft' } });
      },
    );
  },
);

nftTest('the legacy check reads the namespace through the given reader (a fake /proc)', async (t) => {
  const ns = TestNetns.create();
  const nft = await Nftables.open({ netns: ns.name });
  try {
    const asked: string[] = [];
    const legacy = await BridgeFirewall.open({
      nft,
      readProcNet: async (name) => {
        asked.push(name);
        return 'nat\nfilter\n';
      },
    });
    await t.throwsAsync(legacy.placement(), { instanceOf: FirewallBackendUnsupported });
    t.deepEqual(asked, ['ip_tables_names']);
    const natOnly = await BridgeFirewall.open({ nft, readProcNet: async () => 'nat\n' });
    t.like(await natOnly.placement(), { kind: 'own-table' });
    const noModule = await BridgeFirewall.open({ nft, readProcNet: async () => undefined });
    t.like(await noModule.placement(), { kind: 'own-table' });
    t.is(ns.exec(NFT, ['list', 'ruleset']).stdout, '', 'placement changes nothing');
  } finally {
    nft.close();
    ns.destroy();
  }
});
