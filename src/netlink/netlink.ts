/** The handle: one rtnetlink socket in one network namespace, and the APIs on it. */
import { Addresses } from './addresses.js';
import { NetlinkContext } from './context.js';
import { NetlinkError } from './errors.js';
import { Links } from './links.js';
import { netnsPath } from './netns.js';
import { Routes } from './routes.js';
import { NetlinkSocket } from './socket.js';
import { Sysctl } from './sysctl.js';
import { checkInt } from './validate.js';

/** Options of {@link Netlink.open}. */
export interface NetlinkOptions {
  /** A namespace name under /run/netns, or a path (`/proc/PID/ns/net`); default: the current one. */
  netns?: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Receive buffer to ask for, in bytes (default: 1 KiB per request in flight + 512 KiB; the kernel doubles it). */
  rcvbuf?: number;
  /** Most requests in flight (default 2048); more wait their turn. */
  maxInFlight?: number;
  /** Retries of a dump the kernel flags interrupted (default 5), then DumpInterrupted. */
  dumpRetries?: number;
}

/**
 * rtnetlink in one network namespace.
 * ```ts
 * const nl = await Netlink.open({ netns: 'sandbox' });
 * await nl.links.add({ kind: 'bridge', name: 'br0', up: true });
 * await nl.links.add({ kind: 'tap', name: 'tap0', master: 'br0', mtu: 1450, up: true });
 * nl.close();
 * ```
 */
export class Netlink {
  /** Interfaces. */
  readonly links: Links;
  /** IP addresses. */
  readonly addresses: Addresses;
  /** Routes. */
  readonly routes: Routes;
  /** /proc/sys/net of this namespace. */
  readonly sysctl: Sysctl;
  /** The namespace file path, or undefined for the current namespace. */
  readonly netns: string | undefined;
  private readonly socket: NetlinkSocket;

  private constructor(socket: NetlinkSocket, netns: string | undefined, o: NetlinkOptions) {
    this.socket = socket;
    this.netns = netns;
    const ctx = new NetlinkContext(
      socket,
      netns,
      {
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
        ...(o.rcvbuf === undefined ? {} : { rcvbuf: o.rcvbuf }),
      },
      o.dumpRetries ?? 5,
    );
    this.links = new Links(ctx);
    this.addresses = new Addresses(ctx, this.links);
    this.routes = new Routes(ctx, this.links);
    this.sysctl = new Sysctl(netns);
  }

  /** Opens a handle (the socket is opened inside the namespace on a short-lived native thread). */
  static async open(options: NetlinkOptions = {}): Promise<Netlink> {
    const netns = options.netns === undefined ? undefined : netnsPath(options.netns);
    if (options.timeoutMs !== undefined) checkInt('timeoutMs', options.timeoutMs, 1, 3_600_000);
    if (options.maxInFlight !== undefined) checkInt('maxInFlight', options.maxInFlight, 1, 1 << 20);
    if (options.dumpRetries !== undefined) checkInt('dumpRetries', options.dumpRetries, 0, 1000);
    let socket: NetlinkSocket;
    try {
      socket = await NetlinkSocket.open({
        ...(netns === undefined ? {} : { netns }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.rcvbuf === undefined ? {} : { rcvbuf: options.rcvbuf }),
        ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      });
    } catch (e) {
      const err = e as { code?: unknown; errno?: unknown; syscall?: unknown; message?: unknown };
      if (typeof err?.code !== 'string') throw e;
      throw new NetlinkError({
        operation: 'open',
        code: err.code,
        errno: typeof err.errno === 'number' ? err.errno : 0,
        extAck:
          `${netns ?? 'current namespace'}: ${String(err.syscall ?? '')} ${String(err.message ?? '')}`.trim(),
      });
    }
    return new Netlink(socket, netns, options);
  }

  /** Datagrams sent so far on the request socket (batching shows as fewer sends than requests). */
  get sends(): number {
    return this.socket.sends;
  }

  /** Closes the socket; requests in flight fail with ECANCELED. Watchers close on their own. */
  close(): void {
    this.socket.close();
  }
}
