/**
 * Throwaway network namespaces for integration tests. The harness (not the library) may run
 * `ip`: it is the independent witness of what the library did.
 *
 * Every namespace is named `ovt<pid>x<n>` (at most 15 bytes) so a leftover one is easy to find;
 * `scripts/test.sh` removes any that a crashed test process left behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';

let counter = 0;

/** True when this process may create namespaces (root). */
export const isRoot = process.getuid?.() === 0;

/** Runs a command and returns its stdout; throws with stderr on a non-zero exit. */
export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * True when `uid` (with gid `uid` and no other group) can read `file`: every directory above it
 * must let that uid through. A checkout under /root (mode 0700) is not readable, so the tests
 * that run the library as another uid skip there, and say so; CI runs from a copy it makes
 * readable.
 */
export function readableBy(uid: number, file: string): boolean {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'test', '-r', file]);
  return r.status === 0;
}

/** Runs a command and returns its exit status and output, never throwing. */
export function trySh(cmd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A named network namespace with loopback up. */
export class TestNetns {
  readonly name: string;
  /** The path that the library takes as `netns`. */
  readonly path: string;

  private constructor(name: string) {
    this.name = name;
    this.path = `/run/netns/${name}`;
  }

  /** Creates a fresh namespace `ovt<pid>x<n>`. */
  static create(): TestNetns {
    const name = `ovt${process.pid}x${counter++}`;
    sh('ip', ['netns', 'add', name]);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return new TestNetns(name);
  }

  /** `ip -n NAME ARGS...`. */
  ip(...args: string[]): string {
    return sh('ip', ['-n', this.name, ...args]);
  }

  /** `ip -n NAME -j -d link show [DEV]`, parsed; [] when DEV is absent. */
  links(dev?: string): IpLink[] {
    const r = trySh('ip', ['-n', this.name, '-j', '-d', 'link', 'show', ...(dev ? ['dev', dev] : [])]);
    if (r.status !== 0) return [];
    return JSON.parse(r.stdout) as IpLink[];
  }

  /** `ip -j -d link show DEV` for one device, or undefined. */
  link(dev: string): IpLink | undefined {
    return this.links(dev)[0];
  }

  /** Runs a command inside the namespace (`ip netns exec`). */
  exec(cmd: string, args: string[]): { status: number; stdout: string; stderr: string } {
    return trySh('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Removes the namespace (and with it every link inside). Idempotent. */
  destroy(): void {
    trySh('ip', ['netns', 'del', this.name]);
  }
}

/** The parts of `ip -j -d link` output that tests read; the rest is there too. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  group: string;
  txqlen?: number;
  link_type: string;
  address?: string;
  master?: string;
  promiscuity?: number;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
  [key: string]: unknown;
}
