/**
 * Devices are touched only when they are what the VIF says. Before a plug reconfigures an
 * existing device, and before an unplug deletes one, the plugins read it and compare it with
 * what a plug of this VIF makes: its kind, and for the hybrid veth pair its peer and master.
 * A mismatch is {@link UnexpectedDevice}, raised before anything changed (os-vif deletes and
 * reconfigures blindly: a VIF naming the host uplink as its tap would delete the uplink).
 */
import { UnexpectedDevice } from '../errors.js';
import type { LinkHost, LinkInfo } from './links.js';

/** What a device must be. */
export interface Expected {
  /** Allowed kinds (`tun` is a tap). */
  kinds: readonly string[];
  /** For a veth: the peer it must have. */
  peer?: string;
  /** The masters it may have (undefined = any; include undefined for "none"). */
  masters?: readonly (string | undefined)[];
  /** How the error describes it ("a tap", "the hybrid bridge"). */
  what: string;
}

/**
 * Reads `name` and returns it, or undefined when absent; UnexpectedDevice when it exists and is
 * not what `expected` says.
 */
export async function ownedOrAbsent(
  links: LinkHost,
  vifId: string,
  name: string,
  expected: Expected,
): Promise<LinkInfo | undefined> {
  const link = await links.get(name);
  checkOwned(vifId, name, link, expected);
  return link;
}

/** {@link ownedOrAbsent} on a link already read (undefined: absent). */
export function checkOwned(
  vifId: string,
  name: string,
  link: LinkInfo | undefined,
  expected: Expected,
): void {
  if (!link) return;
  const found = mismatch(link, expected);
  if (found) throw new UnexpectedDevice({ vif_id: vifId, device: name, found, expected: expected.what });
}

function mismatch(link: LinkInfo, e: Expected): string | undefined {
  const kind = link.kind ?? 'a device without a kind (a NIC or other hardware)';
  if (!link.kind || !e.kinds.includes(link.kind)) return `of kind ${kind}`;
  if (e.peer !== undefined && link.peer !== e.peer)
    return `a ${link.kind} whose peer is ${link.peer ?? 'elsewhere'}`;
  if (e.masters !== undefined && !e.masters.includes(link.master))
    return `a ${link.kind} enslaved to ${link.master ?? 'nothing'}`;
  return undefined;
}

/** A tap, the netdev os-vif's `delete_net_dev` removes for an OVS port (libvirt made it). */
export const TAP: Expected = { kinds: ['tun'], what: 'a tap' };

/** A Linux bridge. */
export const BRIDGE: Expected = { kinds: ['bridge'], what: 'a Linux bridge' };
