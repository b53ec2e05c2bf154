/**
 * `os-vif/guest`: the guest side that libvirt makes for a hypervisor, for agents without
 * libvirt: a guest tap for a VMM that opens it by name, a macvtap for a `VIFDirect`, or a
 * container's interface in a network namespace. Each plugs the host side with the VIF's plugin
 * as a hypervisor driver does, rolls back what it made when a step fails, and `detach` succeeds
 * when nothing is there.
 *
 * ```ts
 * import { initialize } from 'os-vif';
 * import { attach, detach } from 'os-vif/guest';
 * await initialize({ config: { os_vif_ovs: { ovsdb_connection: 'unix:/run/openvswitch/db.sock' } } });
 * const tap = await attach(vif, instance, { kind: 'tap', owner: 107, vnetHdr: true });
 * const pod = await attach(vif2, instance, { kind: 'netns', netns: 'pod1' }); // CNI-shaped result
 * await detach(vif2, instance, { kind: 'netns', netns: 'pod1' });
 * ```
 */
import { Netlink } from '../netlink/index.js';
import { objects } from '../vif/index.js';
import { attachNetns, detachNetns } from './container.js';
import { InvalidGuestTarget } from './errors.js';
import { isPortVif } from './fields.js';
import { plugger } from './host-side.js';
import { attachMacvtap, detachMacvtap } from './macvtap.js';
import { attachTap, detachTap } from './tap.js';
import type { Attachment, GuestOptions, GuestTarget, PortVif } from './targets.js';

export { type AddressPlan, addressPlan } from './addressing.js';
export { CharDeviceMissing, InvalidGuestTarget } from './errors.js';
export { tapMac } from './tap.js';
export type {
  Attachment,
  GuestInterface,
  GuestIp,
  GuestOptions,
  GuestRoute,
  GuestTarget,
  MacvtapAttachment,
  MacvtapTarget,
  NetnsAttachment,
  NetnsTarget,
  PortVif,
  TapAttachment,
  TapTarget,
} from './targets.js';

function checkArgs(vif: unknown, instance: unknown, target: unknown): void {
  if (!(vif instanceof objects.VIFBase))
    throw new InvalidGuestTarget({ target: '?', field: 'vif', reason: 'must be a VIF object' });
  if (!(instance instanceof objects.InstanceInfo))
    throw new InvalidGuestTarget({
      target: '?',
      field: 'instanceInfo',
      reason: 'must be an InstanceInfo object',
    });
  const kind = (target as { kind?: unknown } | null)?.kind;
  if (kind !== 'tap' && kind !== 'macvtap' && kind !== 'netns')
    throw new InvalidGuestTarget({
      target: String(kind),
      field: 'kind',
      reason: 'must be tap, macvtap or netns',
    });
  const fits = kind === 'macvtap' ? vif instanceof objects.VIFDirect : isPortVif(vif);
  if (!fits)
    throw new InvalidGuestTarget({
      target: kind,
      field: 'vif',
      reason: `is a ${vif.objName}; ${kind === 'macvtap' ? 'a macvtap needs a VIFDirect' : 'it needs a VIFBridge or VIFOpenVSwitch'}`,
    });
}

async function withNetlink<T>(options: GuestOptions, body: (nl: Netlink) => Promise<T>): Promise<T> {
  const nl = await Netlink.open(options.netns !== undefined ? { netns: options.netns } : {});
  try {
    return await body(nl);
  } finally {
    nl.close();
  }
}

/**
 * Makes the guest side of `vif` for `target` and plugs the host side with the VIF's plugin (the
 * library's, after `initialize()`, unless `options.plugin` is given). Idempotent: a device
 * already there and of the right kind is reused. A failure removes what this call made and
 * raises; bad input raises `InvalidGuestTarget` (or the plugin's `InvalidVif`) before anything
 * changes, and a device of another kind under the same name `UnexpectedDevice`.
 */
export async function attach<T extends GuestTarget>(
  vif: objects.VIFBase,
  instanceInfo: objects.InstanceInfo,
  target: T,
  options: GuestOptions = {},
): Promise<Attachment<T>> {
  checkArgs(vif, instanceInfo, target);
  const p = plugger(options);
  const t = target as GuestTarget;
  return withNetlink(options, async (nl) => {
    if (t.kind === 'macvtap') return attachMacvtap(nl, p, vif as objects.VIFDirect, instanceInfo, t);
    if (t.kind === 'tap') return attachTap(nl, p, vif as PortVif, instanceInfo, t);
    return attachNetns(nl, p, vif as PortVif, instanceInfo, t);
  }) as Promise<Attachment<T>>;
}

/**
 * Removes what {@link attach} made for `target` and unplugs the VIF with its plugin; succeeds
 * when nothing is there (also when the container's namespace is gone).
 */
export async function detach(
  vif: objects.VIFBase,
  instanceInfo: objects.InstanceInfo,
  target: GuestTarget,
  options: GuestOptions = {},
): Promise<void> {
  checkArgs(vif, instanceInfo, target);
  const p = plugger(options);
  await withNetlink(options, async (nl) => {
    if (target.kind === 'macvtap') return detachMacvtap(nl, p, vif as objects.VIFDirect, instanceInfo);
    if (target.kind === 'tap') return detachTap(nl, p, vif as PortVif, instanceInfo);
    return detachNetns(nl, p, vif as PortVif, instanceInfo, target);
  });
}
