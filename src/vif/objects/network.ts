/**
 * Network objects: Network, Subnet, FixedIP, Route and their list classes.
 */
import { type Init, registerObject, VersionedObject, type VersionManifest } from './base.js';
import { olderThan } from './compat.js';
import { field, t } from './fields.js';

/** A fixed IP of a port, with the floating IPs that map to it. */
export class FixedIP extends VersionedObject {
  static override readonly objName: string = 'FixedIP';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {
    address: field(t.ipAddress),
    floating_ips: field(t.list(t.ipAddress)),
  };
  declare readonly objName: 'FixedIP';
  /** The address (canonical text). */
  declare address: string;
  /** Floating IPs mapped to it. */
  declare floating_ips: string[];
  constructor(init: Init<FixedIP> = {}) {
    super(init);
  }
}
registerObject(FixedIP);

/** A list of {@link FixedIP}. */
export class FixedIPList extends VersionedObject {
  static override readonly objName: string = 'FixedIPList';
  static override readonly VERSION: string = '1.0';
  static override readonly isList: boolean = true;
  static override readonly fields = { objects: field(t.list(t.object<FixedIP>('FixedIP'))) };
  declare readonly objName: 'FixedIPList';
  /** The elements. */
  declare objects: FixedIP[];
  constructor(init: Init<FixedIPList> = {}) {
    super(init);
  }
}
registerObject(FixedIPList);

/** A static route of a subnet. */
export class Route extends VersionedObject {
  static override readonly objName: string = 'Route';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {
    cidr: field(t.ipNetwork),
    gateway: field(t.ipAddress),
    interface: field(t.string),
  };
  declare readonly objName: 'Route';
  /** Destination `address/prefix`. */
  declare cidr: string;
  /** Next hop. */
  declare gateway: string;
  /** Output interface name (may be empty). */
  declare interface: string;
  constructor(init: Init<Route> = {}) {
    super(init);
  }
}
registerObject(Route);

/** A list of {@link Route}. */
export class RouteList extends VersionedObject {
  static override readonly objName: string = 'RouteList';
  static override readonly VERSION: string = '1.0';
  static override readonly isList: boolean = true;
  static override readonly fields = { objects: field(t.list(t.object<Route>('Route'))) };
  declare readonly objName: 'RouteList';
  /** The elements. */
  declare objects: Route[];
  constructor(init: Init<RouteList> = {}) {
    super(init);
  }
}
registerObject(RouteList);

/** An IP subnet of a network. */
export class Subnet extends VersionedObject {
  static override readonly objName: string = 'Subnet';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {
    cidr: field(t.ipNetwork),
    dns: field(t.list(t.ipAddress)),
    gateway: field(t.ipAddress),
    ips: field(t.object<FixedIPList>('FixedIPList')),
    routes: field(t.object<RouteList>('RouteList')),
    dhcp_server: field(t.ipAddress),
  };
  declare readonly objName: 'Subnet';
  /** The subnet `address/prefix` (host bits kept). */
  declare cidr: string;
  /** DNS servers. */
  declare dns: string[];
  /** Default gateway. */
  declare gateway: string;
  /** Fixed IPs of the port in this subnet. */
  declare ips: FixedIPList;
  /** Static routes. */
  declare routes: RouteList;
  /** DHCP server address. */
  declare dhcp_server: string;
  constructor(init: Init<Subnet> = {}) {
    super(init);
  }
}
registerObject(Subnet);

/** A list of {@link Subnet}. */
export class SubnetList extends VersionedObject {
  static override readonly objName: string = 'SubnetList';
  static override readonly VERSION: string = '1.0';
  static override readonly isList: boolean = true;
  static override readonly fields = { objects: field(t.list(t.object<Subnet>('Subnet'))) };
  declare readonly objName: 'SubnetList';
  /** The elements. */
  declare objects: Subnet[];
  constructor(init: Init<SubnetList> = {}) {
    super(init);
  }
}
registerObject(SubnetList);

/**
 * The network a VIF attaches to. Like Python's constructor, an unspecified `subnets`,
 * `multi_host`, `should_provide_bridge`, `should_provide_vlan` and `mtu` are filled in
 * (an empty SubnetList, false, false, false, null) and count as changed.
 */
export class Network extends VersionedObject {
  static override readonly objName: string = 'Network';
  // 1.1: mtu added
  static override readonly VERSION: string = '1.1';
  static override readonly fields = {
    id: field(t.uuid),
    bridge: field(t.string),
    label: field(t.string),
    subnets: field(t.object<SubnetList>('SubnetList')),
    multi_host: field(t.boolean),
    should_provide_bridge: field(t.boolean),
    should_provide_vlan: field(t.boolean),
    bridge_interface: field(t.string, { nullable: true }),
    vlan: field(t.integer, { nullable: true }),
    mtu: field(t.integer, { nullable: true }),
  };
  static readonly constructorDefaults = {
    /** An empty SubnetList. */
    subnets: () => new SubnetList({ objects: [] }),
    /** false */
    multi_host: () => false,
    /** false */
    should_provide_bridge: () => false,
    /** false */
    should_provide_vlan: () => false,
    /** null */
    mtu: () => null,
  };

  declare readonly objName: 'Network';
  /** Network id (Neutron network UUID). */
  declare id: string;
  /** Bridge the VIF attaches to (`br-int`, `brq…`). */
  declare bridge: string;
  /** Human-readable name. */
  declare label: string;
  /** Subnets. */
  declare subnets: SubnetList;
  /** Nova multi-host networking (linux_bridge skips the bridge when set). */
  declare multi_host: boolean;
  /** The plugin must create the bridge. */
  declare should_provide_bridge: boolean;
  /** The plugin must create the VLAN interface. */
  declare should_provide_vlan: boolean;
  /** Physical interface the bridge uses. */
  declare bridge_interface: string | null;
  /** VLAN id. */
  declare vlan: number | null;
  /** MTU (null: the plugin's `network_device_mtu`). */
  declare mtu: number | null;
  constructor(init: Init<Network> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    if (olderThan(target, 1, 1)) delete data.mtu;
    super.objMakeCompatible(data, '1.0', manifest);
  }
}
registerObject(Network);
