/**
 * The ovs plugin on a 3-member clustered OVSDB (RAFT, loopback) whose leader is SIGKILLed while
 * N plugs are in flight: the plugin's connection follows the new leader, every plug succeeds
 * or fails with a typed error, a re-plug of the failed ones succeeds, and afterwards each of
 * the N ports exists exactly once (nothing lost, nothing doubled) on every member.
 * N = 40 by default, 200 with OS_VIF_SOAK=1.
 */
import { hostFactory, OvsPlugin } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { sh, TestNetns } from '../harness/netns.js';
import { OvsCluster } from '../harness/ovs-cluster.js';
import { duplicates, nameCounts } from './converged.js';
import { gatedTest, INSTANCE, net, profile } from './e2e-host.js';
import { ovsList } from './witness.js';

const e2e = gatedTest('clustered OVSDB plug tests');
const N = process.env.OS_VIF_SOAK === '1' ? 200 : 40;

/** VIFOpenVSwitch number i with create_port: one Port and Interface `tapcl<i>` on br-int. */
function clusterVif(i: number): objects.VIFOpenVSwitch {
  const id = `${(0x30000000 + i).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
  return new objects.VIFOpenVSwitch({
    id,
    address: `fa:16:3e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
    plugin: 'ovs',
    vif_name: `tapcl${i}`,
    network: net('br-int'),
    port_profile: profile(id, { create_port: true }),
  } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);
}

e2e(`a 3-member cluster loses its leader during ${N} plugs: each port exists exactly once`, async (t) => {
  const cluster = await OvsCluster.start();
  const ns = TestNetns.create();
  t.teardown(async () => {
    await cluster.stop();
    ns.destroy();
  });
  const plugin = new OvsPlugin(
    // no ovs-vswitchd in the cluster: rows are what is checked; no taps: the MTU step is skipped
    { ovsdb_connection: cluster.remotes, ovs_vsctl_timeout: 10, wait_for_vswitchd: false },
    hostFactory({ netns: ns.name }),
  );
  t.teardown(() => plugin.close());
  const leader = await cluster.leader();
  sh('ovs-vsctl', [`--db=${cluster.unix(leader)}`, '--no-wait', 'init']);
  await plugin.plug(clusterVif(0), INSTANCE); // connected (to the leader), br-int made

  const results: Promise<string | undefined>[] = [];
  let resolved = 0;
  let inFlightAtKill = 0;
  // half the plugs issued at once, the leader killed a moment later (they are in flight), the
  // other half issued while the cluster elects a new leader
  const plug = (i: number) =>
    results.push(
      plugin
        .plug(clusterVif(i), INSTANCE)
        .then(
          () => undefined,
          (e: Error) => `${i} ${e.name}: ${e.message}`,
        )
        .finally(() => void resolved++),
    );
  for (let i = 1; i < N / 2; i++) plug(i);
  await new Promise((r) => setTimeout(r, 5));
  inFlightAtKill = results.length - resolved;
  await cluster.kill(leader);
  for (let i = N / 2; i < N; i++) plug(i);
  const failed = (await Promise.all(results)).filter((r): r is string => r !== undefined);
  const newLeader = await cluster.leader();
  t.log(
    `leader ${leader} killed with ${inFlightAtKill} plugs in flight; member ${newLeader} leads now; ${failed.length} of ${N - 1} plugs failed${failed.length ? `: ${failed.slice(0, 3).join('; ')}` : ''}`,
  );
  t.not(newLeader, leader);
  t.true(inFlightAtKill > 0, 'the leader died with plugs in flight');
  for (const f of failed) t.regex(f, /^\d+ (Ovsdb\w+Error|VSwitchError)/, 'a typed error');

  const again = await Promise.allSettled(
    failed.map((f) => plugin.plug(clusterVif(Number(f.split(' ')[0])), INSTANCE)),
  );
  t.deepEqual(
    again.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
    [],
    're-plugs succeed',
  );

  const want = ['br-int', ...Array.from({ length: N }, (_, i) => `tapcl${i}`)].sort();
  for (const member of cluster.members().filter((m) => m !== leader)) {
    const remote = cluster.unix(member);
    await cluster.waitUntil(
      () => nameCounts(remote, 'Port').size >= want.length,
      10_000,
      `member ${member} caught up`,
    );
    const ports = nameCounts(remote, 'Port');
    t.deepEqual(duplicates(ports), [], `member ${member}: no port twice`);
    t.deepEqual([...ports.keys()].sort(), want, `member ${member}: every port, nothing else`);
    t.deepEqual(duplicates(nameCounts(remote, 'Interface')), [], `member ${member}: no interface twice`);
  }
  const bridge = ovsList(cluster.unix(newLeader), 'Bridge').find((b) => b.name === 'br-int');
  t.is(((bridge?.ports ?? []) as unknown[]).length, N + 1, 'br-int holds each port once');
});
