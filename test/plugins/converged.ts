/**
 * Checks shared by the kill, restart and cluster tests: the host state N hybrid agent VIFs
 * should give, read from the kernel (`ip`) and OVSDB (`ovs-vsctl`/`ovsdb-client`), and the row
 * counts by name that reveal a port or interface written twice.
 */
import { ovsNames } from '../../src/plugins/index.js';
import { type TestNetns, trySh } from '../harness/netns.js';
import { agentId } from './fixtures/agent-vifs.js';
import { linkState, ovsList } from './witness.js';

/** How many rows of `table` carry each name (a name counted twice is a duplicate). */
export function nameCounts(remote: string, table: 'Port' | 'Interface' | 'Bridge'): Map<string, number> {
  const r = trySh('ovsdb-client', ['--format=json', 'dump', remote, 'Open_vSwitch', table, 'name']);
  if (r.status !== 0) throw new Error(`ovsdb-client dump ${table}: ${r.stderr}`);
  const counts = new Map<string, number>();
  for (const [name] of (JSON.parse(r.stdout) as { data: string[][] }).data)
    counts.set(name!, (counts.get(name!) ?? 0) + 1);
  return counts;
}

/** Names counted more than once, as `name xN`. */
export function duplicates(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([name, n]) => `${name} x${n}`);
}

/**
 * What is wrong with the host for agent VIFs `0..n-1` plugged (hybrid, br-int, MTU 1450), as a
 * list of problems (empty when converged): each qbr up, qvb enslaved to it, qvo up, the OVS
 * port qvo on br-int with the VIF's iface-id, every port and interface exactly once, and
 * nothing else on br-int.
 */
export function hybridProblems(ns: TestNetns, remote: string, n: number): string[] {
  const problems: string[] = [];
  const links = linkState(ns.links());
  const ports = nameCounts(remote, 'Port');
  const ifaces = nameCounts(remote, 'Interface');
  problems.push(
    ...duplicates(ports).map((d) => `Port ${d}`),
    ...duplicates(ifaces).map((d) => `Interface ${d}`),
  );
  const want = new Set(['br-int']);
  for (let i = 0; i < n; i++) {
    const { qbr, qvb, qvo } = ovsNames(agentId(i));
    want.add(qvo);
    if (links[qbr]?.kind !== 'bridge' || !links[qbr]?.up)
      problems.push(`${i}: ${qbr} ${JSON.stringify(links[qbr])}`);
    if (links[qvb]?.master !== qbr || !links[qvb]?.up || links[qvb]?.mtu !== 1450)
      problems.push(`${i}: ${qvb} ${JSON.stringify(links[qvb])}`);
    if (links[qvo]?.kind !== 'veth' || !links[qvo]?.up || links[qvo]?.mtu !== 1450)
      problems.push(`${i}: ${qvo} ${JSON.stringify(links[qvo])}`);
    if (ports.get(qvo) !== 1) problems.push(`${i}: OVS port ${qvo} missing`);
  }
  const onBridge = trySh('ovs-vsctl', [`--db=${remote}`, 'list-ports', 'br-int'])
    .stdout.split('\n')
    .filter(Boolean);
  for (const p of onBridge) if (!want.has(p)) problems.push(`unexpected port ${p} on br-int`);
  for (const p of ports.keys()) if (!want.has(p)) problems.push(`unexpected Port row ${p}`);
  const ifaceIds = new Map(
    ovsList(remote, 'Interface').map((r) => [
      r.name as string,
      (r.external_ids as Record<string, string>)['iface-id'],
    ]),
  );
  for (let i = 0; i < n; i++) {
    const { qvo } = ovsNames(agentId(i));
    if (ports.get(qvo) === 1 && ifaceIds.get(qvo) !== agentId(i))
      problems.push(`${i}: ${qvo} without its iface-id`);
  }
  return problems;
}
