/**
 * The checks every plug and unplug runs FIRST, before the host is touched: each name the VIF
 * leads to (netlink, OVSDB, sysctl and sysfs paths all take it from here) against the one
 * interface-name rule of `src/netlink` (`ifnameProblem`: the kernel's `dev_valid_name()` plus
 * valid Unicode, no NUL), the MTU, and the free-text values that reach OVSDB. A failure is an
 * {@link InvalidVif} naming the field, so "nothing changed" holds (CLI exit 2).
 */
import { ifnameProblem } from '../netlink/index.js';
import { InvalidConfig } from '../vif/index.js';
import { InvalidVif } from './errors.js';

/** The MTU range accepted: IPv4's minimum to the kernel's ETH_MAX_MTU. */
export const MTU_MIN = 68;
/** See {@link MTU_MIN}. */
export const MTU_MAX = 65535;

/** A name that may be unset (not used on this path, or optional). */
export type NameField = readonly [field: string, name: string | null | undefined];

/**
 * Checks each set name as an interface name (1-15 bytes, no `/`, `:`, whitespace, NUL or
 * control character, not `.`/`..`, valid Unicode); an unset or empty one is left to the
 * path's own "required" check.
 */
export function checkNames(vifId: string, names: readonly NameField[]): void {
  for (const [field, name] of names) {
    if (name === undefined || name === null || name === '') continue;
    const problem = ifnameProblem(name);
    if (problem) throw new InvalidVif({ vif_id: vifId, field, reason: `${JSON.stringify(name)} ${problem}` });
  }
}

/**
 * Checks text that reaches OVSDB but is not a netdev name (a patch port's 40-odd-character name,
 * a vhost-user socket path): valid Unicode, no NUL or control character (ovsdb-server drops the
 * connection on NUL; a lone surrogate would be stored as U+FFFD), at most 255 characters.
 */
export function checkText(vifId: string, field: string, value: string | null | undefined): void {
  if (value === undefined || value === null) return;
  let reason: string | undefined;
  if (/\p{Cs}/u.test(value)) reason = 'must be valid Unicode (it holds a lone surrogate)';
  else if (/\p{Cc}/u.test(value)) reason = 'must not contain NUL or control characters';
  else if (value.length > 255) reason = 'must be at most 255 characters';
  if (reason) throw new InvalidVif({ vif_id: vifId, field, reason: `${JSON.stringify(value)} ${reason}` });
}

/**
 * The MTU os-vif uses, `network.mtu || default`, checked: an integer from 68 to 65535 (a
 * negative, fractional or huge `network.mtu` is refused here, not half-way through a plug).
 */
export function checkMtu(vifId: string, networkMtu: number | null | undefined, fallback: number): number {
  const mtu = networkMtu || fallback;
  if (!Number.isInteger(mtu) || mtu < MTU_MIN || mtu > MTU_MAX)
    throw new InvalidVif({
      vif_id: vifId,
      field: 'network.mtu',
      reason: `${mtu} must be an integer from ${MTU_MIN} to ${MTU_MAX}`,
    });
  return mtu;
}

/** An option naming an interface (`flat_interface`, ...): InvalidConfig when it cannot be one. */
export function checkNameOption(group: string, option: string, name: string | null | undefined): void {
  if (name === undefined || name === null || name === '') return;
  const problem = ifnameProblem(name);
  if (problem) throw new InvalidConfig({ group, option, reason: `${JSON.stringify(name)} ${problem}` });
}
