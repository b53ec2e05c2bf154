/** Checks of user input, run before anything is sent. Each throws NetlinkValidationError. */
import { parseIPv4, parseIPv6, parseLladdr } from './codec/values.js';
import { NetlinkValidationError } from './errors.js';

const encoder = new TextEncoder();

/**
 * Why `name` cannot be a network interface name, or undefined when it can. THE name rule of this
 * library (the plugins check every name a VIF leads to with it, the sysctl path check uses its
 * per-character part): the kernel's own `dev_valid_name()` on the UTF-8 bytes (1 to 15 bytes,
 * not `.` or `..`, no `/`, `:` or byte the kernel calls space: 0x09-0x0d, 0x20 and 0xa0, which
 * also refuses characters such as `à` whose encoding holds 0xa0), plus what the kernel cannot
 * see in a JS string: lone surrogates (no valid UTF-8; Node would send U+FFFD instead) and NUL
 * (which would cut the name short). Stricter than the kernel on purpose: no control characters
 * and no Unicode whitespace (a name that prints as blank or moves a terminal is hostile).
 */
export function ifnameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'an interface name must be a string';
  if (name.length === 0) return 'must be 1 to 15 bytes long (IFNAMSIZ)';
  const part = pathPartProblem(name);
  if (part) return part;
  const bytes = encoder.encode(name);
  if (bytes.length > 15) return 'must be 1 to 15 bytes long (IFNAMSIZ)';
  if (name.includes(':')) return "must not contain ':'";
  if (bytes.includes(0xa0))
    return 'must not contain a character whose UTF-8 holds byte 0xa0 (the kernel reads it as a space)';
  return undefined;
}

/**
 * Why `part` cannot be one component of a path under /proc/sys/net or /sys/class/net, or
 * undefined: non-empty, valid Unicode, not `.` or `..`, no `/`, NUL, control character or
 * whitespace. Every valid interface name passes (the sysctl check and the name rule agree).
 */
export function pathPartProblem(part: string): string | undefined {
  if (part.length === 0) return 'must not be empty';
  if (hasLoneSurrogate(part))
    return 'must be valid Unicode (it holds a lone surrogate, which has no UTF-8 form)';
  if (part === '.' || part === '..') return "must not be '.' or '..'";
  if (part.includes('/')) return "must not contain '/'";
  if (/[\s\p{Cc}]/u.test(part)) return 'must not contain whitespace, NUL or control characters';
  return undefined;
}

/** True when `s` holds a lone surrogate (a JS string with no UTF-8 form; `String.isWellFormed` negated). */
export function hasLoneSurrogate(s: string): boolean {
  return /\p{Cs}/u.test(s);
}

/** An interface name by {@link ifnameProblem}; NetlinkValidationError naming `field` otherwise. */
export function checkName(field: string, name: unknown): string {
  const problem = ifnameProblem(name);
  if (problem) throw new NetlinkValidationError(field, name, problem);
  return name as string;
}

/** A name or a positive interface index. */
export function checkNameOrIndex(field: string, v: unknown): string | number {
  if (typeof v === 'number') return checkInt(field, v, 1, 0x7fffffff);
  return checkName(field, v);
}

/** An integer in [min, max]. */
export function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new NetlinkValidationError(field, v, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** An MTU: 68 (the IPv4 minimum) to 65535 here; the kernel checks the device's own range too. */
export function checkMtu(field: string, v: unknown): number {
  return checkInt(field, v, 68, 65535);
}

/** A boolean. */
export function checkBool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new NetlinkValidationError(field, v, 'must be true or false');
  return v;
}

/** A unicast Ethernet MAC address `aa:bb:cc:dd:ee:ff` (not multicast, not all zeros). */
export function checkMac(field: string, v: unknown): string {
  let b: Uint8Array;
  try {
    b = parseLladdr(v);
  } catch {
    throw new NetlinkValidationError(field, v, 'must be a MAC address like fa:16:3e:00:00:01');
  }
  if (b.length !== 6) throw new NetlinkValidationError(field, v, 'must be 6 bytes');
  if (b[0] & 1) throw new NetlinkValidationError(field, v, 'must be a unicast address (multicast bit set)');
  if (b.every((x) => x === 0)) throw new NetlinkValidationError(field, v, 'must not be all zeros');
  return (v as string).toLowerCase();
}

/** An IPv4 or IPv6 address; returns the family (4 or 6). */
export function checkIp(field: string, v: unknown, family?: 4 | 6): 4 | 6 {
  const f = typeof v === 'string' && v.includes(':') ? 6 : 4;
  try {
    if (f === 6) parseIPv6(v);
    else parseIPv4(v);
  } catch {
    throw new NetlinkValidationError(field, v, 'must be an IPv4 or IPv6 address');
  }
  if (family !== undefined && f !== family)
    throw new NetlinkValidationError(field, v, `must be IPv${family}`);
  return f;
}

/** `address/prefix` (prefix defaults to the full length); returns its parts. */
export function checkPrefix(
  field: string,
  v: unknown,
): { address: string; prefixlen: number; family: 4 | 6 } {
  if (typeof v !== 'string') throw new NetlinkValidationError(field, v, 'must be a string like 10.0.0.1/24');
  const [address, len, ...rest] = v.split('/');
  if (rest.length) throw new NetlinkValidationError(field, v, 'has more than one /');
  const family = checkIp(field, address);
  const max = family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len))
    throw new NetlinkValidationError(field, v, 'bad prefix length');
  const prefixlen = len === undefined ? max : Number(len);
  if (prefixlen > max) throw new NetlinkValidationError(field, v, `prefix length must be 0 to ${max}`);
  return { address, prefixlen, family };
}

/** Only these keys may appear in `spec` (a typo is an error, not a silent no-op). */
export function checkKeys(what: string, spec: object, allowed: readonly string[]): void {
  for (const k of Object.keys(spec)) {
    if (!allowed.includes(k))
      throw new NetlinkValidationError(
        `${what}.${k}`,
        (spec as Record<string, unknown>)[k],
        'unknown option',
      );
  }
}
