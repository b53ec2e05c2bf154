/**
 * VIFBridge, the hybrid plug: a Linux bridge `qbr` (where the security-group iptables rules
 * act) holding the guest's tap and `qvb`, one end of a veth pair whose other end `qvo` is a
 * port of `network.bridge`. Plan and unplug side by side; both check that the devices they
 * would touch are the ones a plug of this VIF makes before changing anything.
 */

import type { LinkHost } from '../host/links.js';
import {
  addVethUnlessMade,
  bridgeSysctls,
  createBridgeIfMissing,
  deleteIfExists,
  setMtuIfExists,
} from '../host/linux-net.js';
import { BRIDGE, ownedOrAbsent } from '../host/ownership.js';
import { ovsNames } from '../names.js';
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

/** Plans the plug of a VIFBridge. */
export function planHybrid(call: PlugCall): PlugSteps {
  const { vif, instance, profile, bridge, names, mtu, tag } = call;
  const qbr = requireField(vif, 'bridge_name', vif.bridge_name);
  const dp = datapath(profile, 'system');
  const port = withTag(
    { bridge, port: names.qvo, externalIds: externalIds(vif, instance, profile.interface_id) },
    tag,
  );
  return async ({ links, ovs }, journal) => {
    await checkHybridDevices(links, vif.id, qbr);
    await createBridgeIfMissing(links, journal, qbr, { ageingTime: 0 });
    await bridgeSysctls(links, qbr);
    await links.set(qbr, { up: true });
    if (!(await links.exists(names.qvo))) {
      await deleteIfExists(links, names.qvb);
      await deleteIfExists(links, names.qvo);
      if (!(await addVethUnlessMade(links, names.qvb, names.qvo))) {
        await setMtuIfExists(links, names.qvb, mtu);
        await setMtuIfExists(links, names.qvo, mtu);
        await ovs.updateDeviceMtu(names.qvo, mtu);
        return;
      }
      journal.push(`delete veth ${names.qvb}`, () => deleteIfExists(links, names.qvb));
      // os-vif asks for promisc='on', which its netlink layer turns into clearing IFF_PROMISC.
      await links.set(names.qvb, { up: true, promisc: true, mtu });
      await links.set(names.qvo, { up: true, promisc: true, mtu });
      await links.set(names.qvb, { master: qbr });
      await ovs.createPort(journal, port, mtu, { datapathType: dp });
    } else {
      await setMtuIfExists(links, names.qvb, mtu);
      await setMtuIfExists(links, names.qvo, mtu);
      if (await convergeHybrid(links, ovs, qbr, bridge, names))
        await ovs.createPort(journal, port, mtu, { datapathType: dp });
      else await ovs.updateDeviceMtu(names.qvo, mtu);
    }
  };
}

/** Unplugs a VIFBridge. */
export async function unplugBridge(host: OvsCallHost, call: UnplugCall): Promise<void> {
  await unplugHybrid(host, call, requireField(call.vif, 'bridge_name', call.vif.bridge_name));
}

/**
 * Unplugs the hybrid devices of a VIF whose Linux bridge is `qbr` (a VIFBridge, or a
 * VIFOpenVSwitch that was plugged the hybrid way).
 */
export async function unplugHybrid(
  { links, ovs }: OvsCallHost,
  call: UnplugCall,
  qbr: string,
): Promise<void> {
  const { vif, bridge, names } = call;
  await checkHybridDevices(links, vif.id, qbr);
  // os-vif deletes qbr, sets qvb down, deletes the OVS port, then qvo. Here the OVS port goes
  // first and qbr and qvo (with its peer qvb) are deleted together: one kernel request, one
  // unregister grace period instead of two, and the same end state.
  await ovs.deletePort(bridge, names.qvo, false);
  await Promise.all([deleteIfPresent(links, qbr), deleteIfPresent(links, names.qvo)]);
}

/**
 * The second-plug path of a hybrid VIF whose veth pair exists. os-vif only updates the MTUs
 * there, so a plug that died half-way (the agent killed after the pair was made) would never
 * get its bridge port or its OVS port. This finishes it: qvb and qvo up and promiscuous, qvb
 * on qbr, and true when the OVS port is missing (the caller then creates it, with br-int).
 * On a complete plug it only reads and changes nothing.
 */
async function convergeHybrid(
  links: LinkHost,
  ovs: OvsCallHost['ovs'],
  qbr: string,
  bridge: string,
  names: { qvb: string; qvo: string },
): Promise<boolean> {
  const qvb = await links.get(names.qvb);
  if (qvb && (!qvb.up || !qvb.promisc)) await links.set(names.qvb, { up: true, promisc: true });
  if (qvb && qvb.master !== qbr) await links.set(names.qvb, { master: qbr });
  const qvo = await links.get(names.qvo);
  if (qvo && (!qvo.up || !qvo.promisc)) await links.set(names.qvo, { up: true, promisc: true });
  return !(await ovs.hasPort(bridge, names.qvo));
}

/**
 * The hybrid devices a plug of this VIF makes, or nothing: `qbr` a Linux bridge, `qvo` a veth
 * whose peer is `qvb`, `qvb` a veth (whose peer is `qvo` and whose master is `qbr` or nothing
 * when `qvo` exists). UnexpectedDevice otherwise, before the plug or unplug changes anything.
 */
async function checkHybridDevices(links: LinkHost, vifId: string, qbr: string): Promise<void> {
  const n = ovsNames(vifId);
  await ownedOrAbsent(links, vifId, qbr, BRIDGE);
  const qvo = await ownedOrAbsent(links, vifId, n.qvo, {
    kinds: ['veth'],
    peer: n.qvb,
    what: `a veth whose peer is ${n.qvb}`,
  });
  await ownedOrAbsent(
    links,
    vifId,
    n.qvb,
    qvo
      ? {
          kinds: ['veth'],
          peer: n.qvo,
          masters: [qbr, undefined],
          what: `a veth whose peer is ${n.qvo}, in ${qbr}`,
        }
      : { kinds: ['veth'], what: 'a veth (a stale hybrid end)' },
  );
}

/** Deletes a link, treating "no such device" as done (no separate existence check). */
async function deleteIfPresent(links: LinkHost, name: string): Promise<void> {
  try {
    await links.del(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENODEV') throw error;
  }
}
