/**
 * The `netns` target: a container's interface. A veth whose host end, named `vif_name`, is
 * plugged exactly as the VIF's plugin plugs a hypervisor's tap, and whose other end is made
 * inside the container's namespace under its final name (`eth0`; made there directly, which is
 * a move and a rename in one step, with no moment where it sits in the host namespace), with the
 * VIF's MAC and MTU, the fixed IPs of the network's subnets, their routes and the default
 * gateway, and brought up. What was configured comes back in the shape of a CNI result.
 */
import { checkName, Netlink, netnsPath } from '../netlink/index.js';
import { UnexpectedDevice } from '../plugins/index.js';
import type { objects } from '../vif/index.js';
import { addressPlan, resultParts } from './addressing.js';
import { InvalidGuestTarget } from './errors.js';
import { need, networkMtu, opt } from './fields.js';
import { ownedOrAbsent, type Plugger, plugHostSide } from './host-side.js';
import { deleteIfPresent } from './tap.js';
import type { NetnsAttachment, NetnsTarget, PortVif } from './targets.js';
import { Journal } from './undo.js';

const HOST_END = "a veth (the container interface's host end)";

/** The checked names of a netns target. */
export function checkNetnsTarget(
  vif: PortVif,
  target: NetnsTarget,
): { host: string; ifname: string; netns: string } {
  const host = checkName('vif_name', need<string>(vif, 'vif_name', 'is required for a container interface'));
  const ifname = checkName('ifname', target.ifname ?? 'eth0');
  if (typeof target.netns !== 'string' || target.netns === '')
    throw new InvalidGuestTarget({
      target: 'netns',
      field: 'netns',
      reason: 'must be a namespace name or path',
    });
  return { host, ifname, netns: netnsPath(target.netns) };
}

/** Creates (or reuses), plugs and configures the container interface; rolls back on failure. */
export async function attachNetns(
  nl: Netlink,
  p: Plugger,
  vif: PortVif,
  instance: objects.InstanceInfo,
  target: NetnsTarget,
): Promise<NetnsAttachment> {
  const { host, ifname, netns } = checkNetnsTarget(vif, target);
  const mtu = networkMtu(vif);
  const mac = opt<string>(vif, 'address');
  const plan = addressPlan(vif, target.defaultRoute === false ? { defaultRoute: false } : {});
  const inner = await Netlink.open({ netns });
  try {
    await new Journal().run(async (journal) => {
      if (await ownedOrAbsent(nl, vif, host, 'veth', HOST_END)) {
        const peer = await inner.links.get(ifname);
        if (peer?.kind !== 'veth')
          throw new UnexpectedDevice({
            vif_id: vif.id,
            device: host,
            found: `a veth without ${ifname} in ${netns}`,
            expected: HOST_END,
          });
        const common = mtu !== undefined ? { mtu } : {};
        await nl.links.set(host, common);
        await inner.links.set(ifname, { ...common, ...(mac !== undefined ? { address: mac } : {}) });
      } else {
        await nl.links.add({
          kind: 'veth',
          name: host,
          ...(mtu !== undefined ? { mtu } : {}),
          peer: {
            name: ifname,
            netns,
            ...(mtu !== undefined ? { mtu } : {}),
            ...(mac !== undefined ? { address: mac } : {}),
          },
        });
        journal.push(`delete veth ${host}`, () => deleteIfPresent(nl, host));
      }
      await plugHostSide(nl, journal, p, vif, instance, host);
      await inner.links.set(ifname, { up: true });
      for (const ip of plan.ips)
        await inner.addresses.add({
          interface: ifname,
          address: ip.address,
          replace: true,
          ...(ip.family === 6 ? { nodad: true } : {}),
        });
      for (const r of plan.routes)
        await inner.routes.add({
          dst: r.dst === '0.0.0.0/0' || r.dst === '::/0' ? 'default' : r.dst,
          family: r.family,
          dev: ifname,
          replace: true,
          ...(r.gw ? { gateway: r.gw } : {}),
        });
    });
    const [hostLink, innerLink] = await Promise.all([nl.links.get(host), inner.links.get(ifname)]);
    return {
      kind: 'netns',
      interfaces: [
        { name: host, ...(hostLink?.address ? { mac: hostLink.address } : {}) },
        { name: ifname, ...(innerLink?.address ? { mac: innerLink.address } : {}), sandbox: netns },
      ],
      ...resultParts(plan, 1),
      dns: plan.nameservers.length > 0 ? { nameservers: plan.nameservers } : {},
    };
  } finally {
    inner.close();
  }
}

/** Unplugs the VIF and deletes the veth (both ends); succeeds when nothing is there. */
export async function detachNetns(
  nl: Netlink,
  p: Plugger,
  vif: PortVif,
  instance: objects.InstanceInfo,
  target: NetnsTarget,
): Promise<void> {
  // the namespace may be gone (a runtime's DEL after the container died): only the host end counts
  const { host } = checkNetnsTarget(vif, { ...target, netns: target.netns || '/proc/self/ns/net' });
  const exists = await ownedOrAbsent(nl, vif, host, 'veth', HOST_END);
  await p.unplug(vif, instance);
  if (exists) await deleteIfPresent(nl, host);
}
