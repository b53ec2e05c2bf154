/**
 * VIFOpenVSwitch: the VIF's own device (a tap libvirt made, or a container's veth) as a port
 * of `network.bridge`, or, with `per_port_bridge`, of a bridge of its own patched to it. The
 * whole OVS side of a plug is ONE transaction (os-vif sends `add_br` and `add_port` apart; the
 * end state is the same and a concurrent reader never sees the bridge without the port).
 */

import { ownedOrAbsent } from '../host/ownership.js';
import type { SwitchStep } from '../host/switch.js';
import {
  datapath,
  externalIds,
  type OvsCallHost,
  type PlugCall,
  type PlugSteps,
  requireField,
  type UnplugCall,
  VIF_DEVICE,
  withTag,
} from './common.js';
import { unplugHybrid } from './hybrid.js';

/** Plans the plug of a VIFOpenVSwitch. */
export function planPlain(call: PlugCall): PlugSteps {
  const { vif, instance, profile, bridge, names, mtu, tag } = call;
  const dp = datapath(profile, 'system');
  if (call.options.per_port_bridge) {
    const vifName = requireField(vif, 'vif_name', vif.vif_name);
    const patchIds = externalIds(vif, instance, vif.id);
    const steps: SwitchStep[] = [
      { op: 'ensureBridge', bridge, datapathType: dp },
      { op: 'ensureBridge', bridge: names.pb, datapathType: dp },
      { op: 'addPort', ...withTag({ bridge: names.pb, port: vifName }, tag) },
      {
        op: 'addPort',
        ...withTag(
          { bridge, port: names.ibp, externalIds: patchIds, type: 'patch', options: { peer: names.pbp } },
          tag,
        ),
      },
      { op: 'addPort', bridge: names.pb, port: names.pbp, type: 'patch', options: { peer: names.ibp } },
    ];
    return async ({ links, ovs }, journal) => {
      await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
      await ovs.create(journal, steps);
      await ovs.updateDeviceMtu(vifName, mtu);
    };
  }
  if (!profile.create_port)
    return async ({ ovs }, journal) => {
      await ovs.ensureBridge(journal, bridge, dp);
    };
  const vifName = requireField(vif, 'vif_name', vif.vif_name);
  const port = withTag(
    { bridge, port: vifName, externalIds: externalIds(vif, instance, profile.interface_id) },
    tag,
  );
  return async ({ links, ovs }, journal) => {
    const device = await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
    await ovs.createPort(journal, port, mtu, { datapathType: dp }, device);
  };
}

/**
 * Unplugs a VIFOpenVSwitch: its port (and the per-port bridge with its patch ports), and the
 * device; a VIF plugged the hybrid way (its qbr exists) is unplugged as one.
 */
export async function unplugPlain({ links, ovs }: OvsCallHost, call: UnplugCall): Promise<void> {
  const { vif, bridge, names } = call;
  if (call.options.per_port_bridge) {
    const vifName = requireField(vif, 'vif_name', vif.vif_name);
    await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
    await ovs.deletePort(bridge, names.ibp);
    await ovs.deletePort(names.pb, names.pbp);
    await ovs.deletePort(names.pb, vifName);
    await ovs.deleteBridge(names.pb);
    return;
  }
  if (await links.exists(names.qbr)) return unplugHybrid({ links, ovs }, call, names.qbr);
  const vifName = requireField(vif, 'vif_name', vif.vif_name);
  await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
  await ovs.deletePort(bridge, vifName);
}
