/**
 * What a container interface gets from `vif.network.subnets`: each fixed IP with its subnet's
 * prefix length, each subnet's routes, one default route per address family through the first
 * subnet gateway of that family (unless a subnet route already is the default), and the DNS
 * servers, in the shape of a CNI result.
 */
import type { objects } from '../vif/index.js';
import { opt } from './fields.js';
import type { GuestIp, GuestRoute } from './targets.js';

/** The addressing plan of one interface. */
export interface AddressPlan {
  /** `address/prefixlen` with the subnet's gateway. */
  ips: { address: string; gateway?: string; family: 4 | 6 }[];
  routes: { dst: string; gw?: string; family: 4 | 6 }[];
  nameservers: string[];
}

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);
const isDefault = (cidr: string): boolean => cidr === '0.0.0.0/0' || cidr === '::/0';

/** The plan for a VIF's network (empty when it has none). */
export function addressPlan(vif: objects.VIFBase, options: { defaultRoute?: boolean } = {}): AddressPlan {
  const plan: AddressPlan = { ips: [], routes: [], nameservers: [] };
  const network = opt<objects.Network>(vif, 'network');
  const subnets = opt<objects.SubnetList>(network, 'subnets')?.objects ?? [];
  const defaults = new Set<4 | 6>();
  const gateways: { family: 4 | 6; gw: string }[] = [];
  for (const subnet of subnets) {
    const cidr = opt<string>(subnet, 'cidr');
    const gateway = opt<string>(subnet, 'gateway');
    const prefix = cidr?.split('/')[1];
    for (const ip of opt<objects.FixedIPList>(subnet, 'ips')?.objects ?? []) {
      const address = opt<string>(ip, 'address');
      if (address === undefined) continue;
      const family = familyOf(address);
      const len = prefix ?? (family === 4 ? '32' : '128');
      plan.ips.push({ address: `${address}/${len}`, family, ...(gateway ? { gateway } : {}) });
    }
    for (const route of opt<objects.RouteList>(subnet, 'routes')?.objects ?? []) {
      const dst = opt<string>(route, 'cidr');
      if (dst === undefined) continue;
      const gw = opt<string>(route, 'gateway');
      const family = familyOf(dst);
      if (isDefault(dst)) defaults.add(family);
      plan.routes.push({ dst, family, ...(gw ? { gw } : {}) });
    }
    if (gateway) gateways.push({ family: familyOf(gateway), gw: gateway });
    for (const d of opt<string[]>(subnet, 'dns') ?? [])
      if (!plan.nameservers.includes(d)) plan.nameservers.push(d);
  }
  for (const { family, gw } of options.defaultRoute === false ? [] : gateways) {
    if (defaults.has(family)) continue;
    defaults.add(family);
    plan.routes.push({ dst: family === 4 ? '0.0.0.0/0' : '::/0', gw, family });
  }
  return plan;
}

/** The plan's addresses and routes as a CNI result lists them (`interface` indexes the result's interfaces). */
export function resultParts(plan: AddressPlan, iface: number): { ips: GuestIp[]; routes: GuestRoute[] } {
  return {
    ips: plan.ips.map((ip) => ({
      address: ip.address,
      ...(ip.gateway ? { gateway: ip.gateway } : {}),
      interface: iface,
    })),
    routes: plan.routes.map((r) => ({ dst: r.dst, ...(r.gw ? { gw: r.gw } : {}) })),
  };
}
