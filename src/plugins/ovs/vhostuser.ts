/**
 * VIFVHostUser: a DPDK vhost-user port (`dpdkvhostuser`, or `dpdkvhostuserclient` with its
 * socket path when QEMU is the server) on a netdev bridge; no kernel device.
 */
import { ownedOrAbsent } from '../host/ownership.js';
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

/** Plans the plug of a VIFVHostUser: the bridge and the port in one transaction, then `mtu_request`. */
export function planVhostUser(call: PlugCall): PlugSteps {
  const { vif, instance, profile, bridge, names, mtu, tag } = call;
  const dp = datapath(profile, 'netdev');
  const server = vif.mode === 'server';
  const path = server ? requireField(vif, 'path', vif.path) : undefined;
  const port = withTag(
    {
      bridge,
      port: names.vhu,
      externalIds: externalIds(vif, instance, profile.interface_id),
      type: server ? 'dpdkvhostuserclient' : 'dpdkvhostuser',
      ...(path !== undefined ? { options: { 'vhost-server-path': path } } : {}),
    },
    tag,
  );
  return async ({ ovs }, journal) => {
    await ovs.createPort(journal, port, mtu, { datapathType: dp });
  };
}

/** Unplugs a VIFVHostUser: its port, and a stale device of its name if it is one a VIF has. */
export async function unplugVhostUser(
  { links, ovs }: OvsCallHost,
  { vif, bridge, names }: UnplugCall,
): Promise<void> {
  await ownedOrAbsent(links, vif.id, names.vhu, VIF_DEVICE);
  await ovs.deletePort(bridge, names.vhu);
}
