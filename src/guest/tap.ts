/**
 * The `tap` target: the guest's persistent tap, named `vif_name`, with its owner, queues and
 * virtio-net header, MTU and MAC, plugged where the VIF says, for a VMM that opens it by name.
 */
import { checkName, type Netlink } from '../netlink/index.js';
import type { objects } from '../vif/index.js';
import { InvalidGuestTarget } from './errors.js';
import { need, networkMtu, opt } from './fields.js';
import { ownedOrAbsent, type Plugger, plugHostSide } from './host-side.js';
import type { PortVif, TapAttachment, TapTarget } from './targets.js';
import { Journal } from './undo.js';

const TAP = 'a tap (the guest device)';

/**
 * The tap's own MAC: libvirt gives a guest's tap the VIF MAC with the first byte 0xfe, so the
 * host side never carries the guest's address (a bridge takes the lowest port MAC as its own,
 * and 0xfe keeps the tap above every guest MAC).
 */
export function tapMac(vifMac: string | undefined): string | undefined {
  return vifMac === undefined ? undefined : `fe${vifMac.toLowerCase().slice(2)}`;
}

/** Checks the target before anything changes. */
export function checkTapTarget(vif: PortVif, target: TapTarget): string {
  const name = checkName('vif_name', need<string>(vif, 'vif_name', 'is required for a tap'));
  for (const k of ['owner', 'group'] as const) {
    const v = target[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xfffffffe))
      throw new InvalidGuestTarget({
        target: 'tap',
        field: k,
        reason: 'must be a uid/gid from 0 to 4294967294',
      });
  }
  return name;
}

/** Creates (or reuses) and plugs the tap; rolls back what it made on failure. */
export async function attachTap(
  nl: Netlink,
  p: Plugger,
  vif: PortVif,
  instance: objects.InstanceInfo,
  target: TapTarget,
): Promise<TapAttachment> {
  const name = checkTapTarget(vif, target);
  const mtu = networkMtu(vif);
  const mac = tapMac(opt<string>(vif, 'address'));
  await new Journal().run(async (journal) => {
    if (!(await ownedOrAbsent(nl, vif, name, 'tun', TAP))) {
      await nl.links.add({
        kind: 'tap',
        name,
        ...(target.owner !== undefined ? { owner: target.owner } : {}),
        ...(target.group !== undefined ? { ownerGroup: target.group } : {}),
        ...(target.multiQueue ? { multiQueue: true } : {}),
        ...(target.vnetHdr ? { vnetHdr: true } : {}),
        ...(mtu !== undefined ? { mtu } : {}),
        ...(mac !== undefined ? { address: mac } : {}),
      });
      journal.push(`delete tap ${name}`, () => deleteIfPresent(nl, name));
    } else {
      await nl.links.set(name, { ...(mtu !== undefined ? { mtu } : {}), ...(mac ? { address: mac } : {}) });
    }
    await plugHostSide(nl, journal, p, vif, instance, name);
  });
  const link = await nl.links.get(name);
  if (!link) throw new Error(`tap ${name} vanished after it was plugged`);
  return {
    kind: 'tap',
    name,
    ifindex: link.index,
    mac: link.address ?? '',
    guestMac: opt<string>(vif, 'address') ?? null,
    mtu: link.mtu,
  };
}

/** Unplugs the VIF and deletes the tap; succeeds when nothing is there. */
export async function detachTap(
  nl: Netlink,
  p: Plugger,
  vif: PortVif,
  instance: objects.InstanceInfo,
): Promise<void> {
  const name = checkName('vif_name', need<string>(vif, 'vif_name', 'is required for a tap'));
  const exists = await ownedOrAbsent(nl, vif, name, 'tun', TAP);
  await p.unplug(vif, instance);
  if (exists) await deleteIfPresent(nl, name);
}

/** Deletes a link, accepting that it is already gone. */
export async function deleteIfPresent(nl: Netlink, name: string): Promise<void> {
  try {
    await nl.links.del(name);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENODEV') throw e;
  }
}
