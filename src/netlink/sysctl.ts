/**
 * Per-namespace sysctls under /proc/sys/net, read and written by the addon from a thread
 * inside the namespace (a process's own /proc/sys/net shows its namespace only).
 */
import { native } from '../native/addon.js';
import { NetlinkValidationError, wrapNativeError } from './errors.js';
import { TurnBatcher } from './turn-batcher.js';
import { checkName, pathPartProblem } from './validate.js';

/** Per-interface settings plugins use, with the protocol folder each lives in. */
export const INTERFACE_SYSCTLS = {
  disable_ipv6: 'ipv6',
  accept_ra: 'ipv6',
  forwarding: 'ipv4',
  arp_ignore: 'ipv4',
  arp_announce: 'ipv4',
  proxy_arp: 'ipv4',
  rp_filter: 'ipv4',
} as const;
/** A per-interface sysctl key. */
export type InterfaceSysctl = keyof typeof INTERFACE_SYSCTLS;

/**
 * A path relative to /proc/sys/net: components joined by '/', each one passing the same
 * per-character rule as interface names ({@link pathPartProblem}: no '.', '..', NUL, control
 * or whitespace), so every valid interface name (`br+x`, `é`) can be a component and no path
 * can leave /proc/sys/net.
 */
function checkPath(path: unknown): string {
  const problem =
    typeof path !== 'string'
      ? 'must be a string'
      : path
          .split('/')
          .map(pathPartProblem)
          .find((p) => p !== undefined);
  if (problem !== undefined) {
    throw new NetlinkValidationError(
      'sysctl path',
      path,
      `must be relative to /proc/sys/net, like 'ipv6/conf/br0/disable_ipv6': each part ${problem}`,
    );
  }
  return path as string;
}

/** One file to read (no value) or write. */
interface SysctlEntry {
  path: string;
  value?: string;
}

/** Most files per native call (the addon's bound). */
const MAX_BATCH = 1024;

/**
 * Sysctls of one namespace. Reads and writes asked for in the same event-loop turn leave
 * together in one native call (one thread that enters the namespace once; a thread per file
 * cost more than the files); those asked for while a call runs form the next one.
 */
export class Sysctl {
  private readonly batcher: TurnBatcher<SysctlEntry, string | null>;

  /** @param netns namespace file path; undefined: the current namespace. */
  constructor(netns: string | undefined) {
    this.batcher = new TurnBatcher<SysctlEntry, string | null>(async (entries) => {
      // a throw (the namespace could not be entered): nothing was read or written
      const results = await native().sysctlBatch({ ...(netns ? { netns } : {}), entries });
      return entries.map((_, i) => {
        const r = results[i];
        if (r === null || typeof r === 'string') return { value: r };
        return { error: r ?? new Error('the addon returned no result for this entry') };
      });
    }, MAX_BATCH);
  }

  /** Native calls made (for tests and benchmarks: shows the coalescing). */
  get batches(): number {
    return this.batcher.batches;
  }

  /** Reads `path` (relative to /proc/sys/net), trimmed. */
  async get(path: string): Promise<string> {
    checkPath(path);
    try {
      return ((await this.enqueue(path, undefined)) ?? '').trim();
    } catch (e) {
      throw wrapNativeError('sysctl.get', path, e);
    }
  }

  /** Writes `value` to `path` (relative to /proc/sys/net). */
  async set(path: string, value: string | number): Promise<void> {
    checkPath(path);
    if (
      typeof value === 'number' ? !Number.isInteger(value) : typeof value !== 'string' || /[\n\0]/.test(value)
    ) {
      throw new NetlinkValidationError('sysctl value', value, 'must be an integer or a one-line string');
    }
    try {
      await this.enqueue(path, String(value));
    } catch (e) {
      throw wrapNativeError('sysctl.set', path, e);
    }
  }

  private enqueue(path: string, value: string | undefined): Promise<string | null> {
    return this.batcher.submit(value !== undefined ? { path, value } : { path });
  }

  /** Reads a per-interface setting, such as `arp_ignore` of `br0`. */
  async getInterface(ifname: string, key: InterfaceSysctl): Promise<string> {
    return this.get(this.interfacePath(ifname, key));
  }

  /** Writes a per-interface setting, such as `disable_ipv6` of `br0` to 1. */
  async setInterface(ifname: string, key: InterfaceSysctl, value: string | number): Promise<void> {
    await this.set(this.interfacePath(ifname, key), value);
  }

  private interfacePath(ifname: string, key: InterfaceSysctl): string {
    checkName('interface', ifname);
    const family = INTERFACE_SYSCTLS[key];
    if (!family)
      throw new NetlinkValidationError(
        'sysctl key',
        key,
        `must be one of ${Object.keys(INTERFACE_SYSCTLS).join(', ')}`,
      );
    return `${family}/conf/${ifname}/${key}`;
  }
}
