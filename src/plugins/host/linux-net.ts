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

/** Creates the Linux bridge when missing (undone on failure); true when this call created it. */
export async function createBridgeIfMissing(
  links: LinkHost,
  journal: UndoJournal,
  bridge: string,
  options?: { ageingTime?: number },
): Promise<boolean> {
  if (await links.exists(bridge)) return false;
  await links.addBridge(bridge, options);
  journal.push(`delete bridge ${bridge}`, () => links.del(bridge));
  return true;
}

/** Sets a device's MTU when the device exists (os-vif's `set_device_mtu`). */
export async function setMtuIfExists(links: LinkHost, dev: string, mtu: number): Promise<void> {
  if (await links.exists(dev)) await links.set(dev, { mtu });
}

/** Deletes a device when it exists (os-vif's `delete_net_dev`). */
export async function deleteIfExists(links: LinkHost, dev: string): Promise<void> {
  if (await links.exists(dev)) await links.del(dev);
}
