/**
 * The small Linux steps both plugins share (os-vif's linux_net helpers), each guarded by an
 * existence check as in os-vif, and each registering its undo in the call's journal.
 */
import type { LinkHost } from './links.js';
import type { UndoJournal } from './undo.js';

/** The per-bridge sysctls os-vif writes: no IPv6 autoconf, no ARP replies for foreign IPs. */
export async function bridgeSysctls(links: LinkHost, bridge: string): Promise<void> {
  await links.writeSysctl(`ipv6/conf/${bridge}/disable_ipv6`, '1');
  await links.writeSysctl(`ipv4/conf/${bridge}/arp_ignore`, '1');
  await links.writeSysctl(`ipv4/conf/${bridge}/arp_announce`, '2');
}

/**
 * Creates the Linux bridge when missing (undone on failure); true when this call created it.
 * A bridge that another process created between the check and the creation (EEXIST) is taken
 * as found, when it is a bridge; a device of another kind under that name fails the call.
 */
export async function createBridgeIfMissing(
  links: LinkHost,
  journal: UndoJournal,
  bridge: string,
  options?: { ageingTime?: number },
): Promise<boolean> {
  if (await links.exists(bridge)) return false;
  try {
    await links.addBridge(bridge, options);
  } catch (error) {
    if (await createdMeanwhile(links, error, bridge, 'bridge')) return false;
    throw error;
  }
  journal.push(`delete bridge ${bridge}`, () => links.del(bridge));
  return true;
}

/**
 * True when `error` is EEXIST for `name` and a link of that name and `kind` is there now:
 * another process created it since this one looked.
 */
export async function createdMeanwhile(
  links: LinkHost,
  error: unknown,
  name: string,
  kind: string,
): Promise<boolean> {
  if ((error as { code?: unknown }).code !== 'EEXIST') return false;
  return (await links.get(name))?.kind === kind;
}

/** Sets a device's MTU when the device exists (os-vif's `set_device_mtu`). */
export async function setMtuIfExists(links: LinkHost, dev: string, mtu: number): Promise<void> {
  if (await links.exists(dev)) await links.set(dev, { mtu });
}

/** Deletes a device when it exists (os-vif's `delete_net_dev`); gone meanwhile (ENODEV) is done too. */
export async function deleteIfExists(links: LinkHost, dev: string): Promise<void> {
  if (!(await links.exists(dev))) return;
  try {
    await links.del(dev);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENODEV') throw error;
  }
}

/**
 * Creates the veth pair; false (nothing made) when a program that does not take this plugin's
 * lock (Python os-vif) made the pair in the meantime.
 */
export async function addVethUnlessMade(links: LinkHost, name: string, peer: string): Promise<boolean> {
  try {
    await links.addVeth(name, peer);
    return true;
  } catch (error) {
    if ((await createdMeanwhile(links, error, name, 'veth')) && (await links.exists(peer))) return false;
    throw error;
  }
}
