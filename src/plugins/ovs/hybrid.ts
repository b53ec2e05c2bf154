/**
 * VIFBridge, the hybrid plug: a Linux bridge `qbr` (where the security-group iptables rules
 * act) holding the guest's tap and `qvb`, one end of a veth pair whose other end `qvo` is a
 * port of `network.bridge`. Plan and unplug side by side; both check that the devices they
 * would touch are the ones a plug of this VIF makes before changing anything.
 */

import type { LinkChange, LinkHost, LinkInfo } from '../host/links.js';
import {
  addVethUnlessMade,
  bridgeSysctls,
  createBridge,
  deleteIfExists,
  setMtuIfExists,
} from '../host/linux-net.js';
import { BRIDGE, checkOwned } from '../host/ownership.js';
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

/**
 * Plans the plug of a VIFBridge. os-vif's steps, with what each needs known from one read of
 * the three devices (their requests in flight together) instead of a check before each step:
 * a first plug makes the veth pair up, promiscuous, with its MTU and `qvb` on `qbr` in one
 * request, and the OVS port in one transaction; a re-plug of a host that is right (an agent
 * restart) reads the devices, the bridge's sysctls and the replica, and writes nothing.
 */
export function planHybrid(call: PlugCall): PlugSteps {
  const { vif, instance, profile, bridge, names, mtu, tag } = call;
  const qbr = requireField(vif, 'bridge_name', vif.bridge_name);
  const dp = datapath(profile, 'system');
  const port = withTag(
    { bridge, port: names.qvo, externalIds: externalIds(vif, instance, profile.interface_id) },
    tag,
  );
  return async ({ links, ovs }, journal) => {
    const found = await checkHybridDevices(links, vif.id, qbr);
    const bridgeLink = found.get(qbr);
    if (!bridgeLink) await createBridge(links, journal, qbr, { ageingTime: 0 });
    await bridgeSysctls(links, qbr, bridgeLink !== undefined);
    if (!bridgeLink?.up) await links.set(qbr, { up: true });
    if (!found.has(names.qvo)) {
      if (found.has(names.qvb)) await deleteIfPresent(links, names.qvb);
      // os-vif asks for promisc='on', which its netlink layer turns into clearing IFF_PROMISC.
      const made = await addVethUnlessMade(links, names.qvb, names.qvo, {
        up: true,
        promisc: true,
        mtu,
        master: qbr,
      });
      if (!made) {
        await setMtuIfExists(links, names.qvb, mtu);
        await setMtuIfExists(links, names.qvo, mtu);
        await ovs.updateDeviceMtu(names.qvo, mtu);
        return;
      }
      journal.push(`delete veth ${names.qvb}`, () => deleteIfExists(links, names.qvb));
      await ovs.createPort(journal, port, undefined, { datapathType: dp });
      return;
    }
    await convergeHybrid(links, found, qbr, names, mtu);
    if (!(await ovs.hasPort(bridge, names.qvo)))
      await ovs.createPort(journal, port, undefined, { datapathType: dp });
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
 * get its bridge port or its OVS port. This finishes it: qvb and qvo up, promiscuous, with the
 * MTU, qvb on qbr, each end in one request and only what differs from `found` (the caller then
 * adds the OVS port when it is missing). On a complete plug it changes nothing.
 */
async function convergeHybrid(
  links: LinkHost,
  found: Map<string, LinkInfo>,
  qbr: string,
  names: { qvb: string; qvo: string },
  mtu: number,
): Promise<void> {
  const want = (link: LinkInfo | undefined, master?: string): LinkChange => {
    const change: LinkChange = {};
    if (!link) return change;
    if (link.mtu !== mtu) change.mtu = mtu;
    if (!link.up) change.up = true;
    if (!link.promisc) change.promisc = true;
    if (master !== undefined && link.master !== master) change.master = master;
    return change;
  };
  const qvb = want(found.get(names.qvb), qbr);
  const qvo = want(found.get(names.qvo));
  await Promise.all([
    Object.keys(qvb).length > 0 ? links.set(names.qvb, qvb) : undefined,
    Object.keys(qvo).length > 0 ? links.set(names.qvo, qvo) : undefined,
  ]);
}

/**
 * Reads the hybrid devices (one request each, together) and checks they are what a plug of
 * this VIF makes, or absent: `qbr` a Linux bridge, `qvo` a veth whose peer is `qvb`, `qvb` a
 * veth (whose peer is `qvo` and whose master is `qbr` or nothing when `qvo` exists).
 * UnexpectedDevice otherwise, before the plug or unplug changes anything. Resolves with what
 * it read.
 */
async function checkHybridDevices(
  links: LinkHost,
  vifId: string,
  qbr: string,
): Promise<Map<string, LinkInfo>> {
  const n = ovsNames(vifId);
  const found = await links.getMany([qbr, n.qvo, n.qvb]);
  checkOwned(vifId, qbr, found.get(qbr), BRIDGE);
  const qvo = found.get(n.qvo);
  checkOwned(vifId, n.qvo, qvo, { kinds: ['veth'], peer: n.qvb, what: `a veth whose peer is ${n.qvb}` });
  checkOwned(
    vifId,
    n.qvb,
    found.get(n.qvb),
    qvo
      ? {
          kinds: ['veth'],
          peer: n.qvo,
          masters: [qbr, undefined],
          what: `a veth whose peer is ${n.qvo}, in ${qbr}`,
        }
      : { kinds: ['veth'], what: 'a veth (a stale hybrid end)' },
  );
  return found;
}

/** Deletes a link, treating "no such device" as done (no separate existence check). */
async function deleteIfPresent(links: LinkHost, name: string): Promise<void> {
  try {
    await links.del(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENODEV') throw error;
  }
}
