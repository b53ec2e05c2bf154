/**
 * The `macvtap` target, for a `VIFDirect`: a macvtap named `vif_name` on the NIC (or the VLAN
 * device) in the VIF's mode, and the `/dev/tapN` character device a VMM opens. The node is made
 * by the kernel's devtmpfs (or udev) as soon as the macvtap exists; it is awaited, briefly, and
 * its absence (a /dev without devtmpfs or udev) is an error that removes the macvtap again.
 */
import { readdir, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkName, type Netlink } from '../netlink/index.js';
import type { objects } from '../vif/index.js';
import { CharDeviceMissing, InvalidGuestTarget } from './errors.js';
import { need, networkMtu, opt } from './fields.js';
import { ownedOrAbsent, type Plugger } from './host-side.js';
import { deleteIfPresent } from './tap.js';
import type { MacvtapAttachment, MacvtapTarget } from './targets.js';
import { Journal } from './undo.js';

const MACVTAP = 'a macvtap (the guest device)';
const MODES = { vepa: 'vepa', bridge: 'bridge', private: 'private', passthrough: 'passthru' } as const;
/** How long the char device may take to appear (devtmpfs makes it at once; udev within ms). */
const NODE_WAIT_MS = 2000;

/** The kernel mode for the target and VIF. */
export function macvtapMode(
  vif: objects.VIFDirect,
  target: MacvtapTarget,
): (typeof MODES)[keyof typeof MODES] {
  const mode = target.mode ?? opt<string>(vif, 'mode') ?? 'vepa';
  const kernel = (MODES as Record<string, (typeof MODES)[keyof typeof MODES]>)[mode];
  if (!kernel)
    throw new InvalidGuestTarget({
      target: 'macvtap',
      field: 'mode',
      reason: `must be one of ${Object.keys(MODES).join(', ')}`,
    });
  return kernel;
}

/** The lower device: the target's, else the VIF's VLAN device, else the PCI function's netdev. */
export async function lowerDevice(
  vif: objects.VIFDirect,
  target: MacvtapTarget,
  sysfs = '/sys',
): Promise<string> {
  if (target.dev !== undefined) return checkName('dev', target.dev);
  const vlan = opt<string>(vif, 'vlan_name');
  if (vlan) return checkName('vlan_name', vlan);
  const pci = need<string>(vif, 'dev_address', 'is required (or vlan_name, or the target dev) for a macvtap');
  const names = await readdir(`${sysfs}/bus/pci/devices/${pci}/net`).catch(() => []);
  const first = names.sort()[0];
  if (first === undefined)
    throw new InvalidGuestTarget({
      target: 'macvtap',
      field: 'dev_address',
      reason: `${pci} has no network device in ${sysfs}/bus/pci/devices`,
    });
  return checkName('dev_address', first);
}

async function waitForCharDevice(path: string): Promise<boolean> {
  const deadline = Date.now() + NODE_WAIT_MS;
  for (;;) {
    const st = await stat(path).catch(() => undefined);
    if (st?.isCharacterDevice()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
}

/** Creates (or reuses) the macvtap; rolls back on failure. */
export async function attachMacvtap(
  nl: Netlink,
  p: Plugger,
  vif: objects.VIFDirect,
  instance: objects.InstanceInfo,
  target: MacvtapTarget,
): Promise<MacvtapAttachment> {
  const name = checkName('vif_name', need<string>(vif, 'vif_name', 'is required for a macvtap'));
  const mode = macvtapMode(vif, target);
  const lower = await lowerDevice(vif, target);
  const mac = opt<string>(vif, 'address');
  const mtu = networkMtu(vif);
  return new Journal().run(async (journal) => {
    await p.plug(vif, instance);
    journal.push(`unplug ${vif.id}`, () => p.unplug(vif, instance));
    if (!(await ownedOrAbsent(nl, vif, name, 'macvtap', MACVTAP))) {
      await nl.links.add({
        kind: 'macvtap',
        name,
        link: lower,
        mode,
        ...(mac !== undefined ? { address: mac } : {}),
        ...(mtu !== undefined ? { mtu } : {}),
        up: true,
      });
      journal.push(`delete macvtap ${name}`, () => deleteIfPresent(nl, name));
    }
    // passthru inherits the lower device's MAC at creation; setting it afterwards sets the
    // lower device's (the VF's), as libvirt does for a passthrough guest
    if (mode === 'passthru' && mac !== undefined) await nl.links.set(name, { address: mac });
    const link = await nl.links.get(name);
    if (!link) throw new Error(`macvtap ${name} vanished after it was made`);
    const path = `/dev/tap${link.index}`;
    if (!(await waitForCharDevice(path))) throw new CharDeviceMissing({ path, device: name });
    return {
      kind: 'macvtap' as const,
      name,
      ifindex: link.index,
      path,
      mode,
      lower,
      mac: link.address ?? null,
    };
  });
}

/** Deletes the macvtap and unplugs; succeeds when nothing is there. */
export async function detachMacvtap(
  nl: Netlink,
  p: Plugger,
  vif: objects.VIFDirect,
  instance: objects.InstanceInfo,
): Promise<void> {
  const name = checkName('vif_name', need<string>(vif, 'vif_name', 'is required for a macvtap'));
  if (await ownedOrAbsent(nl, vif, name, 'macvtap', MACVTAP)) await deleteIfPresent(nl, name);
  await p.unplug(vif, instance);
}
