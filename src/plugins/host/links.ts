/**
 * What the plugins need from the kernel, in os-vif's own vocabulary (the `ip` interface of
 * os-vif's linux_net modules, §6.0 of the model). The production implementation is
 * {@link ./netlink-links.ts}; it speaks rtnetlink through `src/netlink` in one namespace.
 * Keeping this seam small lets the trace tests record exactly which host steps a plugin takes.
 */

/** A link as the plugins see it. */
export interface LinkInfo {
  name: string;
  /** Link kind ('bridge', 'veth', 'tun', ...), undefined for plain devices. */
  kind?: string;
  mtu: number;
  up: boolean;
  promisc: boolean;
  /** Name of the bridge or bond this link is enslaved to. */
  master?: string;
  /** For a veth: its peer's name, when the peer is in the same namespace. */
  peer?: string;
}

/** Changes to one link; only the given keys are sent, in one request. */
export interface LinkChange {
  up?: boolean;
  mtu?: number;
  /** Bridge name, or null to detach. */
  master?: string | null;
  promisc?: boolean;
}

/** Settings of a new veth pair, given at its creation. */
export interface VethSettings {
  up?: boolean;
  promisc?: boolean;
  mtu?: number;
  /** Bridge to enslave the first end to. */
  master?: string;
}

/** An IPv4 address on a link, as `ip addr show` lists it. */
export interface AddressInfo {
  /** Dotted quad. */
  address: string;
  prefixLength: number;
  broadcast?: string;
  /** 'global', 'link', 'host'. */
  scope: string;
  /** IFA_F_SECONDARY set. */
  secondary: boolean;
  /** Not IFA_F_PERMANENT (learned from DHCP or autoconf). */
  dynamic: boolean;
}

/** An IPv4 route through a gateway. */
export interface GatewayRoute {
  /** 'default' or 'A.B.C.D/N'. */
  destination: string;
  gateway: string;
  /** Routing protocol number ('static' is 4, 'boot' is 3). */
  protocol?: number;
  metric?: number;
}

/** The kernel operations the plugins use, all inside one network namespace. */
export interface LinkHost {
  /** The link, or undefined when there is none of that name. */
  get(name: string): Promise<LinkInfo | undefined>;
  /** True when a link of that name exists. */
  exists(name: string): Promise<boolean>;
  /**
   * Several links at once (the requests in flight together), by name; absent ones are left
   * out. A master or peer among `names` is resolved without a request of its own.
   */
  getMany(names: readonly string[]): Promise<Map<string, LinkInfo>>;
  /**
   * Creates a Linux bridge with forward delay 0, STP off and multicast snooping off, and
   * with `ageingTime` (centiseconds) when given. Fails with EEXIST when the name is taken.
   */
  addBridge(name: string, options?: { ageingTime?: number }): Promise<void>;
  /**
   * Creates a veth pair with its settings: they apply to both ends (up, promiscuous, MTU),
   * except `master`, which enslaves `name` only. One request, and one more to bring the peer up.
   */
  addVeth(name: string, peer: string, settings?: VethSettings): Promise<void>;
  /** Creates an 802.1Q device `name` on `parent` (fails where the kernel lacks 8021q). */
  addVlan(name: string, parent: string, vlanId: number): Promise<void>;
  /** Changes a link (one request). */
  set(name: string, change: LinkChange): Promise<void>;
  /** Deletes a link. */
  del(name: string): Promise<void>;
  /**
   * Writes `/proc/sys/net/<path>` in the namespace; resolves false (writing nothing) when the
   * file does not exist, as os-vif does.
   */
  writeSysctl(path: string, value: string): Promise<boolean>;
  /** Reads `/proc/sys/net/<path>` in the namespace (trimmed); undefined when the file does not exist. */
  readSysctl(path: string): Promise<string | undefined>;
  /** IPv4 addresses of a link. */
  addresses(name: string): Promise<AddressInfo[]>;
  /** Adds an IPv4 address to a link. */
  addAddress(name: string, address: AddressInfo): Promise<void>;
  /** Removes an IPv4 address from a link. */
  delAddress(name: string, address: AddressInfo): Promise<void>;
  /** IPv4 routes through a gateway whose output device is `name`. */
  gatewayRoutes(name: string): Promise<GatewayRoute[]>;
  /** Adds a gateway route; the kernel picks the output device (as `ip route add` without `dev`). */
  addGatewayRoute(route: GatewayRoute): Promise<void>;
  /** Deletes a gateway route of device `name`. */
  delGatewayRoute(name: string, route: GatewayRoute): Promise<void>;
  /** Releases what the host holds (sockets). */
  close(): void;
}
