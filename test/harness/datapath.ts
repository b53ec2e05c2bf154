/**
 * A small routed-and-bridged network in namespaces, to prove what forwarding rules do to real
 * packets (the harness may run `ip`, `sysctl`, `iptables-nft` and `ping`: they are witnesses).
 *
 *   guest G ── tapg0 ┐
 *                    BR (10.1.0.1/24) ── nic0 ── far X (10.1.0.3)       bridged path
 *   host H           │  (VLAN case: BR ── vlan<N> on nic0 ── X eth0.<N>)
 *                    ├─ up1 (10.2.0.1) ── routed Y (10.2.0.2)             routed, BR → up1
 *                    └─ up2 (10.3.0.1) ── other  Z (10.3.0.2)             routed, BR → up2
 *
 * H forwards (ip_forward=1) and sends bridged IPv4 through the FORWARD hook
 * (`net.bridge.bridge-nf-call-iptables=1`, a per-namespace sysctl; br_netfilter must be in the
 * kernel). A `drop` host is Docker-like: iptables-nft's `filter` table with `-P FORWARD DROP`. An
 * `accept` host has no ruleset at all.
 *
 * The bridge, its guest port and its uplink exist before any plug, wired as a host already running
 * an instance on that network is: so the only thing a plug can change on the way is the rules.
 * Every namespace is `ovt<pid>x<n>` (test/harness/netns.ts), removed by {@link Datapath.destroy}.
 */
import { spawn } from 'node:child_process';
import { sh, TestNetns, trySh } from './netns.js';

/** How the host namespace filters forwarded traffic before any plug. */
export type HostPolicy = 'drop' | 'accept';

/** Where a probe goes. */
export type Path = 'bridged' | 'routed' | 'other' | 'bystander';

/** Every path, in the order reachability is reported. */
export const PATHS: readonly Path[] = ['bridged', 'routed', 'other', 'bystander'];

/**
 * What a ping on a path met: an answer (`reach`), an ICMP error instead (`reject`: a REJECT rule
 * on the way), or nothing within the deadline (`drop`).
 */
export type Outcome = 'reach' | 'reject' | 'drop';

/** The outcome of every path. */
export type Reachability = Record<Path, Outcome>;

/** Options of a datapath. */
export interface DatapathOptions {
  policy: HostPolicy;
  /** The bridge's name in H. */
  bridge: string;
  /** Wire the bridge's uplink through `vlan<N>` on nic0 (the VLAN path) instead of nic0 itself. */
  vlan?: number;
}

/** True when this kernel has br_netfilter (built in or loaded): the per-namespace sysctl exists. */
export function hasBrNetfilter(): boolean {
  return trySh('test', ['-e', '/proc/sys/net/bridge/bridge-nf-call-iptables']).status === 0;
}

/** True when the kernel can make 802.1Q VLAN devices (8021q), probed in a throwaway namespace. */
export function kernelHasVlan(): boolean {
  const ns = TestNetns.create();
  try {
    ns.ip('link', 'add', 'd0', 'type', 'dummy');
    return ns.exec('ip', ['link', 'add', 'v0', 'link', 'd0', 'type', 'vlan', 'id', '7']).status === 0;
  } catch {
    return false;
  } finally {
    ns.destroy();
  }
}

/**
 * nftables' `nft`, by its path: under `npx`, node_modules/.bin comes first in PATH, and a
 * development dependency's `nft` (@vercel/nft, a file tracer) would answer instead.
 */
export const NFT = '/usr/sbin/nft';

/** True when the iptables-nft tools and ping are installed. */
export const hasDatapathTools =
  trySh('sh', [
    '-c',
    `command -v iptables-nft && command -v iptables-nft-save && test -x ${NFT} && command -v ping`,
  ]).status === 0;

/** The namespaces of one datapath and the probes over it. */
export class Datapath {
  private constructor(
    readonly options: DatapathOptions,
    readonly host: TestNetns,
    readonly guest: TestNetns,
    readonly far: TestNetns,
    readonly routed: TestNetns,
    readonly other: TestNetns,
  ) {}

  /** Creates the namespaces and wires them; on a failure half-way removes what it made. */
  static create(options: DatapathOptions): Datapath {
    const made: TestNetns[] = [];
    try {
      for (let i = 0; i < 5; i++) made.push(TestNetns.create());
      const [host, guest, far, routed, other] = made as [
        TestNetns,
        TestNetns,
        TestNetns,
        TestNetns,
        TestNetns,
      ];
      const dp = new Datapath(options, host, guest, far, routed, other);
      dp.wire();
      return dp;
    } catch (error) {
      for (const ns of made) ns.destroy();
      throw error;
    }
  }

  /** The host namespace's name (what a plugin takes as `netns`). */
  get netns(): string {
    return this.host.name;
  }

  /** Wires the namespaces: one `ip -batch` per namespace, then the host's sysctls and policy. */
  private wire(): void {
    const { host: h, guest: g, far: x, routed: y, other: z } = this;
    const br = this.options.bridge;
    const cmds = new Map<TestNetns, string[]>([h, g, x, y, z].map((ns) => [ns, []]));
    const run = (ns: TestNetns, ...lines: string[]) => cmds.get(ns)?.push(...lines);
    const veth = (dev: string, peer: TestNetns) => {
      run(h, `link add ${dev} type veth peer name eth0 netns ${peer.name}`, `link set ${dev} up`);
      run(peer, 'link set eth0 up');
    };
    run(h, `link add ${br} type bridge`, `addr add 10.1.0.1/24 dev ${br}`, `link set ${br} up`);
    veth('tapg0', g);
    run(h, `link set tapg0 master ${br}`);
    run(g, 'addr add 10.1.0.2/24 dev eth0', 'route add default via 10.1.0.1');
    veth('nic0', x);
    const n = this.options.vlan;
    if (n === undefined) {
      run(h, `link set nic0 master ${br}`);
      run(x, 'addr add 10.1.0.3/24 dev eth0');
    } else {
      run(
        h,
        `link add vlan${n} link nic0 type vlan id ${n}`,
        `link set vlan${n} master ${br}`,
        `link set vlan${n} up`,
      );
      run(
        x,
        `link add eth0.${n} link eth0 type vlan id ${n}`,
        `link set eth0.${n} up`,
        `addr add 10.1.0.3/24 dev eth0.${n}`,
      );
    }
    run(x, 'route add default via 10.1.0.1');
    for (const [dev, ns, net] of [
      ['up1', y, '10.2.0'],
      ['up2', z, '10.3.0'],
    ] as const) {
      veth(dev, ns);
      run(h, `addr add ${net}.1/24 dev ${dev}`);
      run(ns, `addr add ${net}.2/24 dev eth0`, `route add default via ${net}.1`);
    }
    // the host first: it makes the peers' ends
    for (const [ns, lines] of cmds) sh('ip', ['-n', ns.name, '-batch', '-'], `${lines.join('\n')}\n`);
    const policy = this.options.policy === 'drop' ? ' && iptables-nft -P FORWARD DROP' : '';
    const r = this.host.exec('sh', [
      '-c',
      `sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1${policy}`,
    ]);
    if (r.status !== 0) throw new Error(`configuring ${this.host.name}: ${r.stderr.trim()}`);
  }

  /** `sysctl -w` in the host namespace; throws if the value did not stick. */
  sysctl(key: string, value: string): void {
    const r = this.host.exec('sysctl', ['-w', `${key}=${value}`]);
    if (r.status !== 0) throw new Error(`sysctl ${key}=${value} in ${this.host.name}: ${r.stderr.trim()}`);
  }

  /** `iptables-nft ARGS` in the host namespace (throws on failure). */
  iptables(...args: string[]): string {
    return sh('ip', ['netns', 'exec', this.host.name, 'iptables-nft', ...args]);
  }

  /** `nft -j list ruleset` of the host namespace, parsed. */
  ruleset(): NftJson {
    // an empty ruleset lists as nothing at all
    const text = sh('ip', ['netns', 'exec', this.host.name, NFT, '-j', 'list', 'ruleset']).trim();
    return text ? (JSON.parse(text) as NftJson) : { nftables: [] };
  }

  /**
   * The ruleset as `nft -j` lists it, without the version line and with every counter zeroed:
   * what a change of rules changes (handles included), and traffic does not.
   */
  rulesetShape(): string {
    const items = this.ruleset().nftables.filter((i) => !('metainfo' in i));
    return JSON.stringify(items, (key, value) => (key === 'counter' ? {} : value));
  }

  /** `nft list ruleset` of the host namespace, as text (for logs and identity checks). */
  rulesetText(): string {
    return sh('ip', ['netns', 'exec', this.host.name, NFT, 'list', 'ruleset']);
  }

  /** `iptables-nft-save` of the host namespace, without its date comments. */
  iptablesSave(): string {
    const r = this.host.exec('iptables-nft-save', []);
    if (r.status !== 0) throw new Error(`iptables-nft-save: ${r.stderr.trim()}`);
    return r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
  }

  /** Pings every path at once (one answer within 3 s counts); resolves to what each met. */
  async reach(): Promise<Reachability> {
    const probes: [Path, TestNetns, string][] = [
      ['bridged', this.guest, '10.1.0.3'],
      ['routed', this.guest, '10.2.0.2'],
      ['other', this.guest, '10.3.0.2'],
      ['bystander', this.routed, '10.3.0.2'],
    ];
    const answers = await Promise.all(probes.map(([, ns, addr]) => ping(ns, addr)));
    return Object.fromEntries(probes.map(([path], i) => [path, answers[i]])) as Reachability;
  }

  /**
   * Proves the wiring: with the host's FORWARD policy set to accept for a moment, every path
   * answers. Throws (naming the dead paths) otherwise, so a broken topology never passes for a
   * drop. Restores the policy before returning.
   */
  async assertWired(): Promise<void> {
    if (this.options.policy === 'drop') this.iptables('-P', 'FORWARD', 'ACCEPT');
    try {
      const r = await this.reach();
      const dead = PATHS.filter((p) => r[p] !== 'reach');
      if (dead.length) throw new Error(`the datapath is not wired: ${dead.join(', ')} unreachable`);
    } finally {
      if (this.options.policy === 'drop') this.iptables('-P', 'FORWARD', 'DROP');
    }
  }

  /** Removes every namespace. Idempotent. */
  destroy(): void {
    for (const ns of [this.host, this.guest, this.far, this.routed, this.other]) ns.destroy();
  }
}

/**
 * One ICMP echo, re-sent every 0.2 s until answered, within 3 s: `reach` on an answer, `reject`
 * when an ICMP error came back instead (ping's `+N errors`), else `drop`.
 */
export function ping(ns: TestNetns, addr: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', ns.name, 'ping', '-n', '-q', '-c', '1', '-i', '0.2', '-w', '3', addr],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => resolve('drop'));
    child.on('close', (code) => resolve(code === 0 ? 'reach' : /\+\d+ errors/.test(out) ? 'reject' : 'drop'));
  });
}

/** Reachability as a short text, e.g. `bridged:reach routed:reach other:drop bystander:reach`. */
export function describeReach(r: Reachability): string {
  return PATHS.map((p) => `${p}:${r[p]}`).join(' ');
}

/** A reachability from its outcomes in {@link PATHS} order. */
export function outcomes(
  bridged: Outcome,
  routed: Outcome,
  other: Outcome,
  bystander: Outcome,
): Reachability {
  return { bridged, routed, other, bystander };
}

/**
 * The rules without an interface match (jumps, in practice) that `iptables-nft-save` lists more
 * than once in one table: a jump doubled by a writer that no longer recognised its own. Rules
 * naming an interface are left out: os-vif itself writes `-o BR -j DROP` twice in the
 * forward_bridge_interface-list case (`-o BR -j D`, then `--out-interface BR -j D`).
 */
export function duplicateRules(save: string): string[] {
  const seen = new Set<string>();
  const doubled = new Set<string>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line;
    if (!line.startsWith('-A ') || / -[io] /.test(line)) continue;
    const key = `${table} ${line}`;
    if (seen.has(key)) doubled.add(key);
    seen.add(key);
  }
  return [...doubled];
}

/** `nft -j list ruleset` output. */
export interface NftJson {
  nftables: Record<string, unknown>[];
}
