/**
 * What the ovs plugin's VIF types share: the call as each type's plan and unplug see it, and
 * the small field helpers (required fields, os-vif's external_ids, the isolation tag).
 */

import { InvalidVif } from '../errors.js';
import type { LinkHost } from '../host/links.js';
import type { Expected } from '../host/ownership.js';
import type { UndoJournal } from '../host/undo.js';
import type { ovsNames } from '../names.js';
import type { OvsOptions } from '../options.js';
import type { InstanceView, PortProfileView, VifView } from '../vif-view.js';
import type { BaseOvs } from './base-ovs.js';
import type { Sysfs } from './sysfs.js';

/** The host as one plug or unplug call uses it. */
export interface OvsCallHost {
  links: LinkHost;
  /** The BaseOVS verbs, reporting to the call and drawing on its budget. */
  ovs: BaseOvs;
}

/** The steps of a plug, checked and planned before anything on the host changes. */
export type PlugSteps = (host: OvsCallHost, journal: UndoJournal) => Promise<void>;

/** One unplug call, as a VIF type's unplug sees it. */
export interface UnplugCall {
  vif: VifView;
  profile: PortProfileView;
  /** `network.bridge`. */
  bridge: string;
  /** The device names derived from the VIF id. */
  names: ReturnType<typeof ovsNames>;
  options: OvsOptions;
  sysfs: Sysfs;
}

/** One plug call, as a VIF type's plan sees it. */
export interface PlugCall extends UnplugCall {
  instance: InstanceView;
  /** The checked MTU. */
  mtu: number;
  /** `Port.tag` (4095 with `isolate_vif`). */
  tag: number | undefined;
}

/** The netdev of an OVS port named by `vif_name`: a tap (libvirt) or a veth (container runtimes). */
export const VIF_DEVICE: Expected = { kinds: ['tun', 'veth'], what: 'a tap or veth (the VIF device)' };

/** `value`, or InvalidVif naming `field` when it is unset or empty. */
export function requireField<T>(vif: VifView, field: string, value: T | null | undefined): T {
  if (value === undefined || value === null || value === '')
    throw new InvalidVif({ vif_id: vif.id, field, reason: 'is required by the ovs plugin' });
  return value;
}

/** The profile's datapath type, or `fallback`. */
export function datapath(profile: PortProfileView, fallback: string): string {
  return profile.datapath_type || fallback;
}

/** The Interface external_ids os-vif writes. */
export function externalIds(
  vif: VifView,
  instance: InstanceView,
  ifaceId: string | undefined,
): Record<string, string> {
  const ids: Record<string, string> = {
    'iface-id': requireField(vif, 'port_profile.interface_id', ifaceId),
    'iface-status': 'active',
  };
  ids['attached-mac'] = requireField(vif, 'address', vif.address);
  ids['vm-uuid'] = requireField(vif, 'instance_info.uuid', instance.uuid);
  return ids;
}

/** `port` with `tag` when one is given. */
export function withTag<T extends object>(port: T, tag: number | undefined): T & { tag?: number } {
  return tag === undefined ? port : { ...port, tag };
}
