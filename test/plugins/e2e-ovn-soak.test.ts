/**
 * The SB leader killed while 50 VIFs are plugged with `wait_for_ovn_installed` (OS_VIF_SOAK=1:
 * it takes tens of seconds). A 3-member SB cluster and a 3-member NB cluster, two chassis; 50
 * plain VIFs (veth pairs inside the chassis namespaces) are plugged concurrently and the SB
 * leader is SIGKILLed while they are in flight. Every plug must settle, bound or with the typed
 * OvnNotInstalled (none hangs, none fails otherwise); a retry of the timed-out ones converges;
 * in the end every Interface is ovn-installed and every logical port is up in NB (watched
 * through LogicalPorts over the three NB remotes). The numbers go to the log.
 */
import { Netlink } from '../../src/netlink/index.js';
import { LogicalPorts } from '../../src/ovsdb/index.js';
import { OvnNotInstalled } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { gatedTest, INSTANCE, net, profile } from './e2e-host.js';
import { OvnLab, ovnSkipReason } from './ovn-host.js';

/** VIFs, and the plug time limit in seconds (OS_VIF_SOAK_TIMEOUT=1 makes most of them time out first). */
const N = Number(process.env.OS_VIF_SOAK_VIFS ?? 50);
const it = gatedTest(
  'OVN soak tests',
  ovnSkipReason ?? (process.env.OS_VIF_SOAK === '1' ? undefined : 'set OS_VIF_SOAK=1 to run them'),
);

it('SB leader killed while 50 VIFs plug with the wait on: every plug settles (bound or OvnNotInstalled), a retry converges', async (t) => {
  const lab = await OvnLab.start({ chassis: 2, sbCluster: true, nbCluster: true });
  let nb: LogicalPorts | undefined;
  t.teardown(async () => {
    await nb?.close().catch(() => undefined);
    await lab.stop();
  });
  const vifs = Array.from({ length: N }, (_, i) => {
    const id = `5eed${(process.pid % 0x10000).toString(16).padStart(4, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const mac = `02:00:00:98:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    return {
      chassis: i % 2,
      mac,
      vif: new objects.VIFOpenVSwitch({
        id,
        address: mac,
        plugin: 'ovs',
        vif_name: `tap${id}`.slice(0, 10) + String(i).padStart(4, '0'),
        network: net('br-int', { mtu: 1400 }),
        port_profile: profile(id, { create_port: true, datapath_type: 'netdev' }),
      }),
    };
  });
  // logical ports in one NB transaction; veth pairs (both ends in the chassis namespace)
  const lsp: string[] = [];
  for (const [i, v] of vifs.entries())
    lsp.push(
      '--',
      'lsp-add',
      'ls1',
      v.vif.id,
      '--',
      'lsp-set-addresses',
      v.vif.id,
      `${v.mac} 10.98.${i >> 8}.${(i & 255) + 1}`,
    );
  await lab.sb.nbctl(...lsp);
  for (const c of [0, 1]) {
    const nl = await Netlink.open({ netns: lab.chassis(c).netns });
    try {
      for (const [i, v] of vifs.entries())
        if (v.chassis === c)
          await nl.links.add({ kind: 'veth', name: v.vif.vif_name, peer: { name: `sk${i}` }, up: true });
    } finally {
      nl.close();
    }
  }
  nb = await LogicalPorts.open(lab.sb.nbRemote);
  const limit = Number(process.env.OS_VIF_SOAK_TIMEOUT ?? 10);
  const plugins = [lab.plugin(0, { ovs_vsctl_timeout: limit }), lab.plugin(1, { ovs_vsctl_timeout: limit })];
  const leader = await lab.sb.sb.leader();
  const t0 = performance.now();
  const outcomes = vifs.map((v) =>
    plugins[v.chassis]!.plug(v.vif, INSTANCE).then(
      () => ({ ok: true as const, ms: performance.now() - t0 }),
      (error: unknown) => ({ ok: false as const, ms: performance.now() - t0, error }),
    ),
  );
  await new Promise((r) => setTimeout(r, 30));
  await lab.sb.sb.kill(leader);
  const killedAt = performance.now() - t0;
  const first = await Promise.all(outcomes);
  const bound = first.filter((o) => o.ok);
  const timedOut = first.filter((o) => !o.ok && o.error instanceof OvnNotInstalled);
  const other = first.filter((o) => !o.ok && !(o.error instanceof OvnNotInstalled));
  t.is(first.length, N, 'every plug settled');
  t.deepEqual(
    other.map((o) => String((o as { error: unknown }).error)),
    [],
    'no plug failed other than with OvnNotInstalled',
  );
  const ms = bound.map((o) => o.ms).sort((a, b) => a - b);
  t.log(
    `${N} plugs, SB leader (member ${leader}) killed at ${killedAt.toFixed(0)} ms: ${bound.length} bound (p50 ${ms[Math.floor(ms.length / 2)]?.toFixed(0)} ms, max ${ms.at(-1)?.toFixed(0)} ms), ${timedOut.length} OvnNotInstalled`,
  );
  // retry every plug (idempotent): the bound ones resolve at once, the others converge
  const t1 = performance.now();
  await Promise.all(vifs.map((v) => plugins[v.chassis]!.plug(v.vif, INSTANCE)));
  t.log(`retry of all ${N}: ${(performance.now() - t1).toFixed(0)} ms`);
  for (const [i, v] of vifs.entries()) t.is(lab.ovnInstalled(v.chassis, v.vif.vif_name), 'true', `vif ${i}`);
  const t2 = performance.now();
  await Promise.all(vifs.map((v) => nb!.waitUp(v.vif.id, { timeoutMs: 60_000 })));
  t.log(
    `every logical port up in NB ${(performance.now() - t2).toFixed(0)} ms after the retry (northd reconnects to the new SB leader)`,
  );
  await lab.sb.sb.startMember(leader);
  await Promise.all(vifs.map((v) => plugins[v.chassis]!.unplug(v.vif, INSTANCE)));
});
