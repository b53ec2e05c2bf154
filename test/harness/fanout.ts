/**
 * Many bridges on one Docker-like host, each with a guest, for the race tests of the forwarding
 * rules (the harness runs `ip`, `sysctl`, `iptables-nft` and `ping` as witnesses):
 *
 *   guest G0 ── bridge 0 (10.20.0.1/24) ┐
 *   guest G1 ── bridge 1 (10.20.1.1/24) ├ host H ── up1 (10.2.0.1) ── Y (10.2.0.2)
 *   ...                                 │        └─ up2 (10.3.0.1) ── Z (10.3.0.2)
 *
 * H forwards, sends bridged IPv4 through FORWARD (bridge-nf-call-iptables=1) and drops forwarded
 * traffic by policy (`iptables-nft -P FORWARD DROP`). A guest reaches Y only through its bridge's
 * accept rules (bridge → up1, and up1 → bridge for the answer); Y reaches Z only through whatever
 * another rule writer installs. Namespaces are `ovt<pid>x<n>`, removed by {@link Fanout.destroy}.
 */
import { duplicateRules, NFT, ping } from './datapath.js';
import { sh, TestNetns } from './netns.js';

/** The namespaces of a fanout and its probes. */
export class Fanout {
  private constructor(
    readonly bridges: readonly string[],
    readonly host: TestNetns,
    readonly guests: readonly TestNetns[],
    readonly y: TestNetns,
    readonly z: TestNetns,
  ) {}

  /** Creates and wires the namespaces (at most 250 bridges); on failure removes what it made. */
  static create(bridges: readonly string[]): Fanout {
    const made: TestNetns[] = [];
    try {
      for (let i = 0; i < bridges.length + 3; i++) made.push(TestNetns.create());
      const [host, y, z, ...guests] = made as [TestNetns, TestNetns, TestNetns, ...TestNetns[]];
      const f = new Fanout(bridges, host, guests, y, z);
      f.wire();
      return f;
    } catch (error) {
      for (const ns of made) ns.destroy();
      throw error;
    }
  }

  /** The host namespace's name. */
  get netns(): string {
    return this.host.name;
  }

  private wire(): void {
    const h: string[] = [];
    const batch = (ns: TestNetns, lines: string[]) =>
      sh('ip', ['-n', ns.name, '-batch', '-'], `${lines.join('\n')}\n`);
    this.bridges.forEach((br, i) => {
      const g = this.guests[i] as TestNetns;
      h.push(
        `link add ${br} type bridge`,
        `addr add 10.20.${i}.1/24 dev ${br}`,
        `link set ${br} up`,
        `link add tg${i} type veth peer name eth0 netns ${g.name}`,
        `link set tg${i} master ${br}`,
        `link set tg${i} up`,
      );
    });
    for (const [dev, ns, net] of [
      ['up1', this.y, '10.2.0'],
      ['up2', this.z, '10.3.0'],
    ] as const) {
      h.push(
        `link add ${dev} type veth peer name eth0 netns ${ns.name}`,
        `addr add ${net}.1/24 dev ${dev}`,
        `link set ${dev} up`,
      );
    }
    batch(this.host, h);
    this.guests.forEach((g, i) => {
      batch(g, [
        'link set eth0 up',
        `addr add 10.20.${i}.2/24 dev eth0`,
        `route add default via 10.20.${i}.1`,
      ]);
    });
    for (const [ns, net] of [
      [this.y, '10.2.0'],
      [this.z, '10.3.0'],
    ] as const) {
      batch(ns, ['link set eth0 up', `addr add ${net}.2/24 dev eth0`, `route add default via ${net}.1`]);
    }
    this.shell(
      'sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 && iptables-nft -P FORWARD DROP',
    );
  }

  /** Runs a shell command in the host namespace; throws with its stderr on failure. */
  shell(command: string): string {
    return sh('ip', ['netns', 'exec', this.host.name, 'sh', '-c', command]);
  }

  /** The bridges whose guest cannot reach Y (and be answered). */
  async guestsCut(): Promise<string[]> {
    const answers = await Promise.all(this.guests.map((g) => ping(g, '10.2.0.2')));
    return this.bridges.filter((_, i) => answers[i] !== 'reach');
  }

  /** Whether Y reaches Z (traffic that only another writer's rules let through). */
  async yReachesZ(): Promise<boolean> {
    return (await ping(this.y, '10.3.0.2')) === 'reach';
  }

  /** `nft -j list ruleset` of the host, parsed (empty when there is no ruleset). */
  ruleset(): { nftables: Record<string, unknown>[] } {
    const text = this.shell(`${NFT} -j list ruleset`).trim();
    return text ? (JSON.parse(text) as { nftables: Record<string, unknown>[] }) : { nftables: [] };
  }

  /**
   * How many rules match on each bridge's name (iifname or oifname, in any table and chain):
   * what a duplicate or a lost rule changes, whatever the rules' layout.
   */
  rulesPerBridge(): Record<string, number> {
    const counts = Object.fromEntries(this.bridges.map((b) => [b, 0]));
    for (const item of this.ruleset().nftables) {
      const rule = item.rule as { expr?: unknown[] } | undefined;
      if (!rule?.expr) continue;
      const names = new Set<string>();
      for (const e of rule.expr) {
        const m = (e as { match?: { left?: { meta?: { key?: string } }; right?: unknown } }).match;
        const key = m?.left?.meta?.key;
        if ((key === 'iifname' || key === 'oifname') && typeof m?.right === 'string') names.add(m.right);
      }
      for (const n of names) if (n in counts) counts[n] = (counts[n] ?? 0) + 1;
    }
    return counts;
  }

  /** Rules `iptables-nft-save` lists twice in one table (see {@link duplicateRules}). */
  duplicateRules(): string[] {
    return duplicateRules(this.shell('iptables-nft-save'));
  }

  /** Removes every namespace. Idempotent. */
  destroy(): void {
    for (const ns of [this.host, this.y, this.z, ...this.guests]) ns.destroy();
  }
}
