/** Reading os-vif objects whose fields may be unset (reading an unset field throws, as in Python). */

import { InvalidVif } from '../plugins/index.js';
import { objects } from '../vif/index.js';

/** The field's value, or undefined when it is unset or null. */
export function opt<T>(obj: objects.VersionedObject | null | undefined, name: string): T | undefined {
  if (!obj?.objAttrIsSet(name)) return undefined;
  const v = (obj as unknown as Record<string, unknown>)[name];
  return v === null ? undefined : (v as T);
}

/** A field the target needs; InvalidVif (before anything changes) when it is unset or empty. */
export function need<T>(vif: objects.VIFBase, name: string, why: string): T {
  const v = opt<T>(vif, name);
  if (v === undefined || v === '') throw new InvalidVif({ vif_id: vifId(vif), field: name, reason: why });
  return v;
}

/** The VIF's id, or '?' when unset. */
export function vifId(vif: objects.VIFBase): string {
  return opt<string>(vif, 'id') ?? '?';
}

/** The network's MTU when set. */
export function networkMtu(vif: objects.VIFBase): number | undefined {
  return opt<number>(opt<objects.Network>(vif, 'network'), 'mtu');
}

/** True for the classes whose host side is a device named vif_name (a tap or a veth end). */
export function isPortVif(vif: objects.VIFBase): vif is objects.VIFBridge | objects.VIFOpenVSwitch {
  return vif instanceof objects.VIFBridge || vif instanceof objects.VIFOpenVSwitch;
}
