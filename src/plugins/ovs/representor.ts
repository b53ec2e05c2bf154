/**
 * VIFHostDevice with an OVS representor: an SR-IOV VF in switchdev mode, whose representor
 * netdev (found through sysfs) becomes a port of `network.bridge`; with a `netdev` datapath,
 * a DPDK representor port (`dpdk-devargs` naming the PF and the VF) instead.
 */
import {
  datapath,
  externalIds,
  type OvsCallHost,
  type PlugCall,
  type PlugSteps,
  requireField,
  type UnplugCall,
  withTag,
} from './common.js';
import type { Sysfs } from './sysfs.js';

/** Plans the plug of a VIFHostDevice. */
export function planRepresentor(call: PlugCall): PlugSteps {
  const { vif, instance, profile, bridge, names, mtu, tag, sysfs } = call;
  const devAddress = requireField(vif, 'dev_address', vif.dev_address);
  const dp = datapath(profile, 'system');
  const portIds = externalIds(vif, instance, profile.interface_id);
  if (dp === 'system') {
    return async ({ links, ovs }, journal) => {
      const representor = await kernelRepresentor(sysfs, devAddress);
      await ovs.ensureBridge(journal, bridge, dp);
      await links.set(representor, { up: true });
      journal.push(`set ${representor} down`, () => links.set(representor, { up: false }));
      await ovs.createPort(journal, withTag({ bridge, port: representor, externalIds: portIds }, tag), mtu);
    };
  }
  return async ({ ovs }, journal) => {
    const vfNum = await sysfs.vfNumber(devAddress);
    const pfPci = await sysfs.pfPci(devAddress);
    await ovs.ensureBridge(journal, bridge, dp);
    const port = {
      bridge,
      port: names.vfr,
      externalIds: portIds,
      type: 'dpdk',
      options: { 'dpdk-devargs': `${pfPci},representor=[${vfNum}]` },
    };
    await ovs.createPort(journal, withTag(port, tag), mtu);
  };
}

/** Unplugs a VIFHostDevice: its port; the kernel representor is set down, never deleted. */
export async function unplugRepresentor({ links, ovs }: OvsCallHost, call: UnplugCall): Promise<void> {
  const { vif, profile, bridge, names, sysfs } = call;
  const devAddress = requireField(vif, 'dev_address', vif.dev_address);
  if (datapath(profile, 'system') === 'system') {
    const representor = await kernelRepresentor(sysfs, devAddress);
    await ovs.deletePort(bridge, representor, false);
    if (await links.exists(representor)) await links.set(representor, { up: false });
  } else {
    await ovs.deletePort(bridge, names.vfr, false);
  }
}

async function kernelRepresentor(sysfs: Sysfs, devAddress: string): Promise<string> {
  const pf = await sysfs.pfIfname(devAddress);
  const vfNum = await sysfs.vfNumber(devAddress);
  return sysfs.representor(pf, vfNum);
}
