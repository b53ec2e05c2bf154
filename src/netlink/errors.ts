/**
 * Errors of the netlink layer. Callers branch on the class (`LinkNotFound`,
 * `NetlinkValidationError`, `UnsupportedLinkKind`, `DumpInterrupted`) or on `code`. Off Linux,
 * every call that needs the addon throws `PlatformNotSupportedError` (from `src/native`).
 */
import { PlatformNotSupportedError } from '../native/addon.js';

/** What the kernel (or the socket) said, with the request it was about. */
export interface NetlinkErrorDetails {
  /** errno name: 'EEXIST', 'ENODEV', 'EPERM', 'ETIMEDOUT', ... */
  code: string;
  /** errno number (positive); 0 when the failure has none (a timeout, a closed socket). */
  errno: number;
  /** The operation, such as 'links.add' or 'addresses.del'. */
  operation: string;
  /** The interface the request was about, when there is one. */
  interface?: string;
  /** The kernel's extended ACK text (NLMSGERR_ATTR_MSG). */
  extAck?: string;
  /** Offset of the attribute the kernel objected to, within the request (NLMSGERR_ATTR_OFFS). */
  extAckOffset?: number;
}

/** A request failed: the kernel's error, or a socket error, or a timeout. */
export class NetlinkError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly operation: string;
  readonly interface: string | undefined;
  readonly extAck: string | undefined;
  readonly extAckOffset: number | undefined;

  constructor(d: NetlinkErrorDetails, message?: string) {
    const about = d.interface === undefined ? '' : ` ${d.interface}`;
    super(
      (message ?? `${d.operation}${about}: ${d.code}${d.extAck ? ` (${d.extAck})` : ''}`) + permissionHint(d),
    );
    this.name = 'NetlinkError';
    this.code = d.code;
    this.errno = d.errno;
    this.operation = d.operation;
    this.interface = d.interface;
    this.extAck = d.extAck;
    this.extAckOffset = d.extAckOffset;
  }
}

/**
 * What an EPERM or EACCES means here: the capability the call needs. Changing links, addresses,
 * routes or sysctls of a namespace needs CAP_NET_ADMIN in the user namespace owning it; entering
 * a named namespace (`netns`) needs CAP_SYS_ADMIN too.
 */
function permissionHint(d: NetlinkErrorDetails): string {
  if (d.code !== 'EPERM' && d.code !== 'EACCES') return '';
  const entering = d.operation.startsWith('netns') || d.extAck?.includes('setns');
  const enter = entering ? ' and CAP_SYS_ADMIN to enter the namespace' : '';
  return `: permission denied; this needs CAP_NET_ADMIN${enter} (run as root or grant the capability)`;
}

/**
 * A failed addon call (namespace, sysctl) as a NetlinkError naming the operation and what it was
 * about (`subject`: a namespace name, a sysctl path); anything that is not an errno error is
 * returned unchanged.
 */
export function wrapNativeError(operation: string, subject: string, e: unknown): Error {
  if (e instanceof PlatformNotSupportedError) return e;
  const err = e as { code?: string; errno?: number; message?: string };
  if (typeof err?.code !== 'string') return e as Error;
  return new NetlinkError({
    operation,
    code: err.code,
    errno: err.errno ?? 0,
    extAck: `${subject}: ${err.message ?? ''}`,
  });
}

/** The named link does not exist (ENODEV). */
export class LinkNotFound extends NetlinkError {
  constructor(d: NetlinkErrorDetails) {
    super(
      { ...d, code: 'ENODEV', errno: d.errno || 19 },
      `${d.operation}: no link ${d.interface ?? ''}`.trim(),
    );
    this.name = 'LinkNotFound';
  }
}

/**
 * This kernel cannot make links of this kind (no module: EOPNOTSUPP, or "Unknown device type"),
 * or cannot apply an option (bridge VLAN filtering without CONFIG_BRIDGE_VLAN_FILTERING).
 */
export class UnsupportedLinkKind extends NetlinkError {
  /** The kind asked for, such as 'dummy'. */
  readonly kind: string;
  /** What the kernel lacks, such as 'the dummy module (CONFIG_DUMMY)'. */
  readonly missing: string;
  constructor(d: NetlinkErrorDetails, kind: string, missing: string) {
    super(
      d,
      `${d.operation} ${d.interface ?? ''}: this kernel does not support link kind '${kind}': it lacks ${missing} (${d.code}${d.extAck ? `: ${d.extAck}` : ''})`,
    );
    this.name = 'UnsupportedLinkKind';
    this.kind = kind;
    this.missing = missing;
  }
}

/** A dump kept being interrupted (NLM_F_DUMP_INTR) after every retry; `partial` is the last attempt's result. */
export class DumpInterrupted<T = unknown> extends NetlinkError {
  /** What the last attempt returned (possibly inconsistent). */
  readonly partial: T[];
  /** How many attempts were made. */
  readonly attempts: number;
  constructor(operation: string, partial: T[], attempts: number) {
    super(
      { code: 'EINTR', errno: 4, operation },
      `${operation}: dump interrupted by concurrent changes ${attempts} times in a row`,
    );
    this.name = 'DumpInterrupted';
    this.partial = partial;
    this.attempts = attempts;
  }
}

/** Input was refused before anything was sent (bad name, MAC, MTU, option type...). */
export class NetlinkValidationError extends TypeError {
  /** The field that was wrong, such as 'name' or 'peer.address'. */
  readonly field: string;
  /** The value given. */
  readonly value: unknown;
  constructor(field: string, value: unknown, why: string) {
    super(`invalid ${field} ${formatValue(value)}: ${why}`);
    this.name = 'NetlinkValidationError';
    this.field = field;
    this.value = value;
  }
}

function formatValue(v: unknown): string {
  try {
    return typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}
