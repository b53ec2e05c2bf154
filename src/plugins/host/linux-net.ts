/**
 * The small Linux steps both plugins share (os-vif's linux_net helpers), each guarded by an
 * existence check as in os-vif, and each registering its undo in the call's journal.
 */
import type { LinkHost, VethSettings } from './links.js';
import type { UndoJournal } from './undo.js';

/** The per-bridge sysctls os-vif writes: no IPv6 autoconf, no ARP replies for foreign IPs. */
const BRIDGE_SYSCTLS = [
  ['ipv6/conf/%/disable_ipv6', '1'],
  ['ipv4/conf/%/arp_ignore', '1'],
  ['ipv4/conf/%/arp_announce', '2'],
] as const;

/**
 * Writes the per-bridge sysctls (the three requests in flight together). With `onlyChanged`
 * (a bridge that existed already) each is read first and only a value that differs is written.
 */
export async function bridgeSysctls(links: LinkHost, bridge: string, onlyChanged = false): Promise<void> {
  await Promise.all(
    BRIDGE_SYSCTLS.map(async ([pattern, value]) => {
      const path = pattern.replace('%', bridge);
      if (onlyChanged && (await links.readSysctl(path)) === value) return;
      await links.writeSysctl(path, value);
    }),
  );
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
  return createBridge(links, journal, bridge, options);
}

/** {@link createBridgeIfMissing} for a caller that has just seen that the bridge is absent. */
export async function createBridge(
  links: LinkHost,
  journal: UndoJournal,
  bridge: string,
  options?: { ageingTime?: number },
): Promise<boolean> {
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

/**
 * Sets a device's MTU when the device exists (os-vif's `set_device_mtu`), and only when it
 * differs: a re-plug rewrites nothing (one read either way, as os-vif's existence check).
 */
export async function setMtuIfExists(links: LinkHost, dev: string, mtu: number): Promise<void> {
  const link = await links.get(dev);
  if (link && link.mtu !== mtu) await links.set(dev, { mtu });
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
 * Creates the veth pair with its settings (one request); false (nothing made) when a program
 * that does not take this plugin's lock (Python os-vif) made the pair in the meantime.
 */
export async function addVethUnlessMade(
  links: LinkHost,
  name: string,
  peer: string,
  settings?: VethSettings,
): Promise<boolean> {
  try {
    await links.addVeth(name, peer, settings);
    return true;
  } catch (error) {
    if ((await createdMeanwhile(links, error, name, 'veth')) && (await links.exists(peer))) return false;
    throw error;
  }
}
