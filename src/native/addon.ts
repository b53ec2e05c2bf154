/**
 * The typed face of the native addon (`native/`, built by node-gyp, loaded by node-gyp-build).
 *
 * The addon owns system calls and nothing else: netlink sockets opened in any network
 * namespace, tun/tap ioctls, per-namespace sysctl files and named namespaces. Message layouts live in TypeScript
 * (`src/netlink`). Every function that has to enter a namespace does so on a short-lived native
 * thread (setns, then the syscall, then the thread ends), never on the event loop thread and
 * never on a libuv pool thread.
 *
 * Errors thrown or passed to callbacks are `NativeError`s: an `Error` with `code` (the errno
 * name, e.g. 'EEXIST'), `errno` (the positive number) and `syscall` (e.g. 'setns', 'sendmsg').
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** An error from a system call, as the addon reports it. */
export interface NativeError extends Error {
  /** errno name, such as 'EEXIST' or 'ENOBUFS'. */
  code: string;
  /** errno number (positive). */
  errno: number;
  /** the failing system call, such as 'sendmsg' or 'setns'. */
  syscall: string;
  /** the file the call was about, when there is one (such as the netns path given to `open`). */
  path?: string;
}

/** Options for {@link NativeBinding.openNetlink}. */
export interface OpenNetlinkOptions {
  /** Netlink protocol family: 0 = NETLINK_ROUTE, 16 = NETLINK_GENERIC, 12 = NETLINK_NETFILTER. */
  protocol: number;
  /**
   * Path of a network namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`); absent: the
   * current one. It must be on nsfs (checked through an O_PATH handle before it is opened):
   * anything else is EINVAL.
   */
  netns?: string;
  /**
   * Receive buffer to ask for, in bytes (1 to 2^30; default 1 MiB), set with SO_RCVBUFFORCE,
   * falling back to SO_RCVBUF (capped by net.core.rmem_max). The kernel doubles it for its
   * own accounting: {@link NativeNetlinkSocket.receiveBuffer} reports what it holds.
   */
  rcvbuf?: number;
  /**
   * The only port datagrams are accepted from (default 0: the kernel). The socket is
   * connected to it, so other senders' unicast is refused, and anything else read (multicast
   * sent from userspace) is dropped before `onMessages`.
   */
  peer?: number;
  /** Multicast groups to join at once (NETLINK_ADD_MEMBERSHIP numbers, e.g. RTNLGRP_LINK = 1; at most 32). */
  groups?: number[];
  /**
   * Called on the event loop thread with every datagram read in one readiness pass
   * (each Buffer is one datagram, which may hold several netlink messages), all sent by the
   * peer (the kernel). `groups[i]` is the multicast group datagram i was sent to, 0 for a
   * unicast answer.
   */
  onMessages: (datagrams: Buffer[], groups: number[]) => void;
  /**
   * Called on the event loop thread for receive errors. ENOBUFS means the kernel dropped
   * messages (the socket stays open and usable); any other error closes the socket.
   * (EINVAL, which the kernel can raise spuriously when a dump ends while being read, is
   * ignored by the addon: nothing is lost.)
   */
  onError: (error: NativeError) => void;
}

/** An open netlink socket. NETLINK_EXT_ACK and NETLINK_CAP_ACK are set on it. */
export interface NativeNetlinkSocket {
  /** The port id the kernel bound this socket to (nl_pid), used in request headers. */
  readonly portId: number;
  /** The receive buffer as the kernel accounts it (SO_RCVBUF: twice what was asked for). */
  readonly receiveBuffer: number;
  /**
   * Sends one datagram (it may hold many concatenated netlink messages: the kernel processes
   * them in order within one sendmsg). The sendmsg runs on a native thread because the kernel
   * does the request's work inside it; order across calls on one socket is preserved.
   * `callback` runs on the event loop thread once sendmsg has returned. The kernel queues the
   * answer inside sendmsg, so `onMessages` may deliver it before `callback` runs.
   */
  send(datagram: Uint8Array, callback: (error: NativeError | null) => void): void;
  /** Joins a multicast group (NETLINK_ADD_MEMBERSHIP). */
  addMembership(group: number): void;
  /** Leaves a multicast group (NETLINK_DROP_MEMBERSHIP). */
  dropMembership(group: number): void;
  /**
   * Stops polling and closes the fd. Idempotent. Pending send callbacks still run: the sendmsg in
   * flight completes, sends not yet started get ECANCELED. `send` after `close` throws EBADF.
   */
  close(): void;
  /**
   * Keeps the event loop alive while the socket is open, whatever it is doing. By default a
   * socket keeps it alive only while a send is queued or in flight, while it has joined a
   * multicast group (a watch) and while a read pass left datagrams unread.
   */
  ref(): void;
  /** Never keeps the event loop alive through reading (sends in flight still do). */
  unref(): void;
}

/** One device of {@link NativeBinding.tunCreateBatch}. */
export interface TunDeviceOptions {
  /** Interface name (1 to 15 bytes). */
  name: string;
  /** 'tap' (Ethernet frames, IFF_TAP) or 'tun' (IP packets, IFF_TUN). IFF_NO_PI is always set. */
  mode: 'tap' | 'tun';
  /** IFF_MULTI_QUEUE. */
  multiQueue?: boolean;
  /** IFF_VNET_HDR. */
  vnetHdr?: boolean;
  /** TUNSETOWNER uid. */
  owner?: number;
  /** TUNSETGROUP gid. */
  group?: number;
}

/** A held file lock (see {@link NativeBinding.fileLock}). */
export interface NativeFileLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Releases the lock by closing its descriptor; with `unlink`, first removes the file when the
   * path still names it (waiters on the removed file then reopen the path). True when this call
   * released it, false when it was already released. Dropping the handle without releasing
   * releases the lock when it is garbage collected.
   */
  release(options?: { unlink?: boolean }): boolean;
}

/** A wait for a file lock in progress. */
export interface NativeFileLockWait {
  /** Resolves with the held lock; rejects ETIMEDOUT, ECANCELED, or the open/fcntl error. */
  readonly acquired: Promise<NativeFileLock>;
  /** Ends the wait at once (ECANCELED); no effect once the lock was taken (release it then). */
  cancel(): void;
}

/** The functions the addon exports. */
export interface NativeBinding {
  /** Opens a netlink socket, inside `netns` when given. */
  openNetlink(options: OpenNetlinkOptions): Promise<NativeNetlinkSocket>;
  /**
   * Creates persistent tun/tap devices (at most 1024) on one native thread that enters `netns`
   * once, one after the other, each with its own /dev/net/tun fd: TUNSETIFF (with
   * IFF_TUN_EXCL), owner, group, TUNSETPERSIST, close.
   * One device failing does not stop the others: the promise resolves with one entry per device,
   * in order, `null` for created or the NativeError that device got (a refused name is EINVAL
   * and is not tried). It rejects only when the namespace cannot be entered (nothing was made).
   */
  tunCreateBatch(options: { netns?: string; devices: TunDeviceOptions[] }): Promise<(NativeError | null)[]>;
  /**
   * Deletes a persistent tun/tap device (attach with TUNSETIFF, TUNSETPERSIST 0, close). EBUSY
   * when another process holds it (for a multi-queue device: holds queues; it is then left
   * persistent, as it was).
   */
  tunDelete(options: {
    name: string;
    netns?: string;
    mode: 'tap' | 'tun';
    multiQueue?: boolean;
  }): Promise<void>;
  /** Writes a file under the namespace's own /proc/sys/net (path relative to /proc/sys/net, e.g. 'ipv6/conf/br0/disable_ipv6'). */
  sysctlWrite(options: { netns?: string; path: string; value: string }): Promise<void>;
  /** Reads a file under the namespace's own /proc/sys/net: its text as is (with the trailing newline). */
  sysctlRead(options: { netns?: string; path: string }): Promise<string>;
  /**
   * Reads a file of the namespace's own /proc/net (`/proc/thread-self/net/NAME`, read on a thread
   * inside `netns`); `name` is lower-case letters, digits and '_' only (e.g. 'ip_tables_names').
   * ENOENT when the file does not exist (the x_tables module is not loaded).
   */
  procNetRead(options: { netns?: string; name: string }): Promise<string>;
  /**
   * Several sysctl reads and writes on one native thread (the namespace entered once), in
   * order: an entry with `value` writes it, one without reads. Resolves with one result per
   * entry: null (written), the text as is (read), or that entry's NativeError; rejects only
   * when the namespace cannot be entered (nothing was done). At most 1024 entries.
   */
  sysctlBatch(options: {
    netns?: string;
    entries: { path: string; value?: string }[];
  }): Promise<(string | NativeError | null)[]>;
  /**
   * Creates the named network namespace /run/netns/NAME as iproute2 does: unshare(CLONE_NEWNET)
   * on a native thread, then bind-mount its ns file there (/run/netns is created and made a
   * shared mount point when needed). `name` is a file name (no '/', no spaces, not '.' or
   * '..', at most 255 bytes: else EINVAL); EEXIST when it exists.
   */
  netnsCreate(name: string): Promise<void>;
  /**
   * Removes /run/netns/NAME: a namespace file is unmounted (MNT_DETACH | UMOUNT_NOFOLLOW), then
   * the entry is unlinked (a leftover file or symlink is only unlinked). ENOENT when absent.
   */
  netnsDelete(name: string): Promise<void>;
  /**
   * Takes an exclusive fcntl record lock on the whole file at `path` (created when missing, mode
   * 0666 less the umask; a symbolic link or a file that is not regular is refused), as
   * oslo.concurrency's `lockutils.lock(name, external=True)` does with `fcntl.lockf`, so the two
   * exclude each other. It is an open file description lock: two waits in one process exclude
   * each other too. The wait runs on a native thread (non-blocking attempts, 1 to 32 ms apart,
   * woken at once by `cancel`), never on the event loop; `timeoutMs` bounds it (ETIMEDOUT).
   */
  fileLock(options: { path: string; timeoutMs?: number }): NativeFileLockWait;
  /**
   * On the calling thread only (Linux keeps capabilities per thread): sets no_new_privs, drops
   * every capability but `keep` from the bounding set, clears the ambient set, and sets
   * permitted = effective = {keep}, inheritable = {}. EPERM when `keep` is not permitted or the
   * bounding set cannot be reduced (that needs CAP_SETPCAP). Used by src/helper before
   * {@link execSelf}, so that every thread of the new program starts with the reduced sets.
   */
  capsRestrict(keep: number): void;
  /** execve(file, argv, env) from the calling thread; returns only by throwing a NativeError. */
  execSelf(file: string, argv: readonly string[], env: readonly string[]): never;
  /**
   * SO_PEERCRED and SO_PEERGROUPS of a connected unix socket fd: the peer's pid, uid, gid and
   * supplementary groups at connect() time (`groups` is empty on kernels before 4.13).
   */
  peerCredentials(fd: number): PeerCredentials;
}

/** The credentials of a unix socket's peer, as the kernel recorded them at connect(). */
export interface PeerCredentials {
  /** Process id. */
  pid: number;
  /** Effective uid. */
  uid: number;
  /** Effective gid. */
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The addon was needed (a netlink socket, a namespace, a tap, a sysctl) on a system that is not
 * Linux. Everything that needs no addon works everywhere: the objects layer (`os-vif/vif`), the
 * OVSDB client, the CLI's object commands. Thrown by the first call that needs the addon.
 */
export class PlatformNotSupportedError extends Error {
  /** The platform this process runs on (`process.platform`, such as 'darwin' or 'win32'). */
  readonly platform: string;
  constructor(platform: string) {
    super(
      `os-vif's netlink needs Linux; this is ${platform} (the objects layer, os-vif/vif, works everywhere)`,
    );
    this.name = 'PlatformNotSupportedError';
    this.platform = platform;
  }
}

/**
 * Loads the addon for `platform` from the package in `dir` (a prebuild from `prebuilds/`, else
 * `build/Release`). Off Linux it throws {@link PlatformNotSupportedError} without looking for a
 * binary. Each call loads anew; {@link native} is the cached one the library uses.
 */
export function loadAddon(platform: string = process.platform, dir: string = root): NativeBinding {
  if (platform !== 'linux') throw new PlatformNotSupportedError(platform);
  return (require('node-gyp-build') as (dir: string) => NativeBinding)(dir);
}

let binding: NativeBinding | undefined;

/**
 * The addon, loaded on first use and kept (importing this module loads nothing, so `os-vif/vif`
 * works where no addon can load). Throws {@link PlatformNotSupportedError} off Linux.
 */
export function native(): NativeBinding {
  binding ??= loadAddon();
  return binding;
}
