/**
 * The host side shared by the tap and netns targets: a device named `vif_name` (a tap, or a
 * veth's host end) plugged exactly where a hypervisor's tap goes. The VIF's plugin plugs as it
 * does for a hypervisor (`os_vif.plug`: the bridge, the hybrid qbr/qvb/qvo, or the OVS port);
 * then what libvirt would do is done here: the device enslaved to `bridge_name` (VIFBridge), or
 * for a VIFOpenVSwitch whose profile leaves the port to libvirt (`create_port` false), the
 * plugin is asked to create the port itself, with os-vif's external ids (iface-id,
 * attached-mac, vm-uuid, iface-status), as it does when `create_port` is true.
 */
import type { Netlink } from '../netlink/index.js';
import { UnexpectedDevice } from '../plugins/index.js';
import { objects, plug, unplug } from '../vif/index.js';
import { opt, vifId } from './fields.js';
import type { GuestOptions, PortVif } from './targets.js';
import type { Journal } from './undo.js';

/** The plugin calls of one attach/detach: the one given, else the library's facade. */
export interface Plugger {
  plug(vif: objects.VIFBase, instance: objects.InstanceInfo): Promise<void>;
  unplug(vif: objects.VIFBase, instance: objects.InstanceInfo): Promise<void>;
}

/** The plugger for `options`. */
export function plugger(options: GuestOptions): Plugger {
  const p = options.plugin;
  if (p) return { plug: async (v, i) => p.plug(v, i), unplug: async (v, i) => p.unplug(v, i) };
  return { plug, unplug };
}

/**
 * The VIF as the plugin must see it: a VIFOpenVSwitch whose port libvirt would have created
 * (`create_port` false) becomes a copy with `create_port` true, so the plugin creates the port.
 */
export function asPlugged(vif: PortVif): PortVif {
  if (!(vif instanceof objects.VIFOpenVSwitch)) return vif;
  const profile = opt<objects.VIFPortProfileBase>(vif, 'port_profile');
  if (!(profile instanceof objects.VIFPortProfileOpenVSwitch) || profile.create_port) return vif;
  const copy = objects.fromPrimitive(vif.toPrimitive(), objects.VIFOpenVSwitch);
  (copy.port_profile as objects.VIFPortProfileOpenVSwitch).create_port = true;
  return copy;
}

/** What an existing device must be for an attach to reuse it. */
export async function ownedOrAbsent(
  nl: Netlink,
  vif: objects.VIFBase,
  name: string,
  kind: 'tun' | 'veth' | 'macvtap',
  what: string,
): Promise<boolean> {
  const link = await nl.links.get(name);
  if (!link) return false;
  const tapOk = kind !== 'tun' || link.data?.type === 2;
  if (link.kind !== kind || !tapOk) {
    throw new UnexpectedDevice({
      vif_id: vifId(vif),
      device: name,
      found: link.kind === undefined ? 'a device without a kind' : `a ${link.kind}`,
      expected: what,
    });
  }
  return true;
}

/**
 * Plugs the VIF with its plugin (undone by an unplug if a later step fails), then puts the
 * device where a hypervisor's tap goes and brings it up.
 */
export async function plugHostSide(
  nl: Netlink,
  journal: Journal,
  p: Plugger,
  vif: PortVif,
  instance: objects.InstanceInfo,
  device: string,
): Promise<void> {
  const plugged = asPlugged(vif);
  await p.plug(plugged, instance);
  journal.push(`unplug ${vifId(vif)}`, () => p.unplug(plugged, instance));
  if (vif instanceof objects.VIFBridge) await nl.links.set(device, { master: vif.bridge_name, up: true });
  else await nl.links.set(device, { up: true });
}
