/**
 * {@link LinkHost} over `src/netlink`: one rtnetlink socket in one namespace, opened by the
 * plugin on first use and kept. Bridges are created as os-vif creates them (forward delay 0,
 * STP off, multicast snooping off), sysctls go through the namespace's own /proc/sys/net.
 */
import {
  type Address,
  ifnameProblem,
  type Link,
  Netlink,
  NetlinkError,
  type Route,
} from '../../netlink/index.js';
import { DeleteBatcher } from './delete-batcher.js';
import type { AddressInfo, GatewayRoute, LinkChange, LinkHost, LinkInfo, VethSettings } from './links.js';

const IFA_F_SECONDARY = 0x01;
const IFA_F_PERMANENT = 0x80;
const SCOPE_NAMES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host' };
const MAIN_TABLE = 254;

/** A LinkHost in one network namespace. */
export class NetlinkLinks implements LinkHost {
  private readonly deletes: DeleteBatcher;

  private constructor(private readonly nl: Netlink) {
    this.deletes = new DeleteBatcher({
      deleteOne: (name) => nl.links.del(name),
      setGroup: (name, group) => nl.links.set(name, { group }),
      deleteGroup: (group) => nl.links.del({ group }),
    });
  }

  /** Opens the socket in `netns` (a name under /run/netns or a path; default: the current one). */
  static async open(netns?: string): Promise<NetlinkLinks> {
    return new NetlinkLinks(await Netlink.open(netns === undefined ? {} : { netns }));
  }

  async get(name: string): Promise<LinkInfo | undefined> {
    return (await this.getMany([name])).get(name);
  }

  async getMany(names: readonly string[]): Promise<Map<string, LinkInfo>> {
    const links = await Promise.all(names.map((n) => (isIfname(n) ? this.nl.links.get(n) : undefined)));
    const byIndex = new Map<number, Link>();
    for (const l of links) if (l) byIndex.set(l.index, l);
    const nameOf = async (index: number | undefined): Promise<string | undefined> =>
      index === undefined ? undefined : (byIndex.get(index)?.name ?? (await this.nl.links.get(index))?.name);
    const out = new Map<string, LinkInfo>();
    await Promise.all(
      links.map(async (link) => {
        if (!link) return;
        const [master, peer] = await Promise.all([
          nameOf(link.master),
          link.kind === 'veth' && link.linkNetnsid === undefined ? nameOf(link.link) : undefined,
        ]);
        out.set(link.name, toInfo(link, master, peer));
      }),
    );
    return out;
  }

  /** os-vif's `exists`: a name that cannot be a kernel interface (the 40-byte patch port names) is simply absent. */
  async exists(name: string): Promise<boolean> {
    if (!isIfname(name)) return false;
    return (await this.nl.links.get(name)) !== undefined;
  }

  async addBridge(name: string, options: { ageingTime?: number } = {}): Promise<void> {
    await this.nl.links.add({
      kind: 'bridge',
      name,
      forwardDelay: 0,
      stpState: false,
      multicastSnooping: false,
      ...(options.ageingTime !== undefined ? { ageingTime: options.ageingTime } : {}),
    });
  }

  async addVeth(name: string, peer: string, settings: VethSettings = {}): Promise<void> {
    const { master, up, ...both } = settings;
    await this.nl.links.add({
      kind: 'veth',
      name,
      ...both,
      ...(up !== undefined ? { up } : {}),
      ...(master !== undefined ? { master } : {}),
      peer: { name: peer, ...both },
    });
    // the kernel cannot bring the peer up in the creating request (it is configured before
    // the pair is joined, and a veth without its peer refuses to open)
    if (up !== undefined) await this.nl.links.set(peer, { up });
  }

  async addVlan(name: string, parent: string, vlanId: number): Promise<void> {
    await this.nl.links.add({ kind: 'vlan', name, link: parent, id: vlanId });
  }

  async set(name: string, change: LinkChange): Promise<void> {
    await this.nl.links.set(name, change);
  }

  /** Deletes a link; deletions issued together (concurrent unplugs) go to the kernel as one group delete. */
  del(name: string): Promise<void> {
    return this.deletes.delete(name);
  }

  async writeSysctl(path: string, value: string): Promise<boolean> {
    try {
      await this.nl.sysctl.set(path, value);
      return true;
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'ENOENT') return false;
      throw error;
    }
  }

  async readSysctl(path: string): Promise<string | undefined> {
    try {
      return await this.nl.sysctl.get(path);
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async addresses(name: string): Promise<AddressInfo[]> {
    const index = await this.nl.links.index(name);
    const all: Address[] = await this.nl.addresses.list({ family: 4 });
    return all.filter((a) => a.index === index).map(toAddressInfo);
  }

  async addAddress(name: string, a: AddressInfo): Promise<void> {
    await this.nl.addresses.add(addressSpec(name, a));
  }

  async delAddress(name: string, a: AddressInfo): Promise<void> {
    await this.nl.addresses.del(addressSpec(name, a));
  }

  async gatewayRoutes(name: string): Promise<GatewayRoute[]> {
    const index = await this.nl.links.index(name);
    const routes: Route[] = await this.nl.routes.list({ family: 4 });
    return routes
      .filter((r) => r.oif === index && r.gateway !== undefined && r.table === MAIN_TABLE)
      .map((r) => ({
        destination: r.dst,
        gateway: r.gateway as string,
        protocol: r.protocol,
        ...(r.metric !== undefined ? { metric: r.metric } : {}),
      }));
  }

  async addGatewayRoute(route: GatewayRoute): Promise<void> {
    await this.nl.routes.add(routeSpec(route));
  }

  async delGatewayRoute(name: string, route: GatewayRoute): Promise<void> {
    await this.nl.routes.del({ ...routeSpec(route), dev: name });
  }

  close(): void {
    this.nl.close();
  }
}

/** What the kernel accepts as a name (the library's one rule, `ifnameProblem`). */
function isIfname(name: string): boolean {
  return ifnameProblem(name) === undefined;
}

function toInfo(link: Link, master: string | undefined, peer: string | undefined): LinkInfo {
  return {
    name: link.name,
    ...(link.kind !== undefined ? { kind: link.kind } : {}),
    mtu: link.mtu,
    up: link.up,
    promisc: link.promisc,
    ...(master !== undefined ? { master } : {}),
    ...(peer !== undefined ? { peer } : {}),
  };
}

function toAddressInfo(a: Address): AddressInfo {
  return {
    address: a.address,
    prefixLength: a.prefixlen,
    ...(a.broadcast !== undefined ? { broadcast: a.broadcast } : {}),
    scope: SCOPE_NAMES[a.scope] ?? String(a.scope),
    secondary: (a.flags & IFA_F_SECONDARY) !== 0,
    dynamic: (a.flags & IFA_F_PERMANENT) === 0,
  };
}

function addressSpec(name: string, a: AddressInfo) {
  return {
    interface: name,
    address: `${a.address}/${a.prefixLength}`,
    ...(a.broadcast !== undefined ? { broadcast: a.broadcast } : {}),
    scope: (a.scope === 'link' || a.scope === 'host' ? a.scope : 'global') as 'global' | 'link' | 'host',
  };
}

function routeSpec(route: GatewayRoute) {
  return {
    dst: route.destination,
    gateway: route.gateway,
    ...(route.protocol !== undefined ? { protocol: route.protocol } : {}),
    ...(route.metric !== undefined ? { metric: route.metric } : {}),
  };
}
