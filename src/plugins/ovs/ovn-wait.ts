/**
 * The OVN readiness wait of the ovs plugin (option `wait_for_ovn_installed`). os-vif stops at
 * the OVSDB write; an ML2/OVN agent learns that the port is really wired only when ovn-controller
 * has claimed it and installed its flows, which ovn-controller announces on the local Interface
 * row as `external_ids:ovn-installed="true"`. With the option on, a plug resolves only then; it
 * is watched on the plugin's live OVSDB replica (every update and resync re-checks it; no
 * polling) and bounded by what is left of the call's `ovs_vsctl_timeout`, else
 * {@link OvnNotInstalled} names the port. The port is not rolled back on that error: it is
 * plugged correctly, binding is ovn-controller's business and may still come, and a retry waits
 * again.
 *
 * Unplug: what is observable locally is that the Interface row no longer carries the VIF's
 * `iface-id` (the row is gone, or re-used by another port); ovn-controller then releases the
 * binding in the southbound database, which only the NB/SB databases show
 * (`LogicalPorts.waitUp(name, { up: false })` in `os-vif/ovsdb`). So unplug with the option on
 * resolves once the replica shows the row gone, {@link OvnNotReleased} otherwise.
 */
import { OvnNotInstalled, OvnNotReleased } from '../errors.js';
import type { CallBudget } from '../host/budget.js';
import type { SwitchHost } from '../host/switch.js';
import { ovsNames } from '../names.js';
import type { OvsOptions } from '../options.js';
import { isA, type PortProfileView, type VifView } from '../vif-view.js';

/** The OVS interface a plug of the VIF binds, and the logical port it claims. */
export interface OvnTarget {
  vifId: string;
  /** `Interface.name`. */
  port: string;
  /** `external_ids:iface-id` (the logical port name). */
  ifaceId: string;
}

/**
 * The interface a plug of `vif` creates on the integration bridge with the VIF's `iface-id`, or
 * undefined when the plug creates none (a VIFOpenVSwitch without `create_port`: the hypervisor
 * adds that port later, so there is nothing to wait for; with `per_port_bridge` the integration
 * bridge holds only a patch port; a VIFHostDevice representor is not waited for either) or a
 * field is missing (the plug itself then refuses the VIF).
 */
export function ovnTarget(
  vif: VifView,
  profile: PortProfileView,
  options: OvsOptions,
): OvnTarget | undefined {
  const names = ovsNames(vif.id);
  const ifaceId = profile.interface_id;
  if (!ifaceId) return undefined;
  const target = (port: string | null | undefined) => (port ? { vifId: vif.id, port, ifaceId } : undefined);
  if (isA(vif, 'VIFOpenVSwitch')) {
    // per_port_bridge: br-int holds only a patch port, which ovn-controller does not bind.
    if (options.per_port_bridge) return undefined;
    return profile.create_port ? target(vif.vif_name) : undefined;
  }
  if (isA(vif, 'VIFBridge')) return target(names.qvo);
  if (isA(vif, 'VIFVHostUser')) return target(names.vhu);
  return undefined;
}

/** The bound of a wait: what is left of the call's budget (at least 1 ms; undefined: none). */
function bound(budget: CallBudget, what: string): number | undefined {
  try {
    return budget.timeoutFor(what);
  } catch {
    return 1;
  }
}

function unsupported(): Error {
  return new Error('wait_for_ovn_installed needs an OVSDB host with a live replica (watchInterface)');
}

/** Throws before anything changes when the host cannot watch interfaces. */
export function requireWatch(sw: SwitchHost): void {
  if (!sw.watchInterface) throw unsupported();
}

/** Resolves once ovn-controller marked `target` ovn-installed; OvnNotInstalled after the budget. */
export async function waitInstalled(sw: SwitchHost, target: OvnTarget, budget: CallBudget): Promise<void> {
  if (!sw.watchInterface) throw unsupported();
  const ok = await sw.watchInterface(
    target.port,
    (i) => i?.externalIds['iface-id'] === target.ifaceId && i.externalIds['ovn-installed'] === 'true',
    bound(budget, `ovn-installed on ${target.port}`),
  );
  if (!ok)
    throw new OvnNotInstalled({
      vif_id: target.vifId,
      port: target.port,
      iface_id: target.ifaceId,
      timeout: budget.limitMs / 1000,
    });
}

/** Resolves once no Interface `target.port` carries `target.ifaceId`; OvnNotReleased after the budget. */
export async function waitReleased(sw: SwitchHost, target: OvnTarget, budget: CallBudget): Promise<void> {
  if (!sw.watchInterface) throw unsupported();
  const ok = await sw.watchInterface(
    target.port,
    (i) => i?.externalIds['iface-id'] !== target.ifaceId,
    bound(budget, `release of ${target.port}`),
  );
  if (!ok)
    throw new OvnNotReleased({
      vif_id: target.vifId,
      port: target.port,
      iface_id: target.ifaceId,
      timeout: budget.limitMs / 1000,
    });
}
