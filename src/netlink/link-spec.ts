/** What callers pass to `links.add` and `links.set`. */
import type { MacvlanMode } from './kinds/macvlan.js';

/** A link by name or by interface index. */
export type LinkRef = string | number;

/** Attributes every kind accepts at creation. */
export interface CommonLinkSpec {
  /** Interface name (1 to 15 bytes; no '/', ':' or whitespace; not '.' or '..'). */
  name: string;
  /** MTU in bytes. */
  mtu?: number;
  /** Unicast MAC address, `fa:16:3e:00:00:01`. */
  address?: string;
  /** Bridge (or other master) to enslave to, by name or index. */
  master?: LinkRef;
  /** Bring the link up. */
  up?: boolean;
  /** Promiscuous mode (IFF_PROMISC), set in the same request. */
  promisc?: boolean;
  /** Transmit queue length. */
  txqueuelen?: number;
  /** Device group number (for group delete and filtered listing). */
  group?: number;
  /** Create the link in this namespace (name under /run/netns, or a path). */
  netns?: string;
}

/** A Linux bridge. Times are in centiseconds, as `ip -d link` shows them. */
export interface BridgeSpec extends CommonLinkSpec {
  kind: 'bridge';
  /** Kernel STP on or off. */
  stpState?: boolean;
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  priority?: number;
  /** IGMP/MLD snooping. */
  multicastSnooping?: boolean;
  /** VLAN filtering (needs CONFIG_BRIDGE_VLAN_FILTERING). */
  vlanFiltering?: boolean;
}

/** The other end of a veth pair. */
export interface VethPeerSpec {
  name: string;
  mtu?: number;
  /**
   * The peer's promiscuous mode (IFF_PROMISC). (No `up`: the kernel configures the peer before
   * the pair is joined, and a veth without its peer refuses to open, ENOTCONN.)
   */
  promisc?: boolean;
  address?: string;
  txqueuelen?: number;
  /** Put the peer in this namespace (name under /run/netns, or a path). */
  netns?: string;
}

/** A veth pair. */
export interface VethSpec extends CommonLinkSpec {
  kind: 'veth';
  /** The peer; the kernel picks a name (vethN) when absent. */
  peer?: VethPeerSpec;
}

/** A persistent tap (Ethernet) or tun (IP) device, created with TUNSETIFF. */
export interface TunTapSpec extends CommonLinkSpec {
  kind: 'tap' | 'tun';
  /** Owning uid (TUNSETOWNER). */
  owner?: number;
  /** Owning gid (TUNSETGROUP). Not to be confused with the device `group`. */
  ownerGroup?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
}

/** A macvlan or macvtap device on a lower device. */
export interface MacvlanSpec extends CommonLinkSpec {
  kind: 'macvlan' | 'macvtap';
  /** The lower device. */
  link: LinkRef;
  /** Default 'vepa' (the kernel's default). */
  mode?: MacvlanMode;
}

/** A VXLAN endpoint. */
export interface VxlanSpec extends CommonLinkSpec {
  kind: 'vxlan';
  /** VNI, 0 to 16777215. */
  id: number;
  /** Unicast remote endpoint. */
  remote?: string;
  /** Multicast group (needs `link`). */
  multicastGroup?: string;
  /** Source address. */
  local?: string;
  /** Underlay device. */
  link?: LinkRef;
  /** Destination UDP port (ip's `dstport`); the kernel default is 8472. */
  port?: number;
  ttl?: number;
  tos?: number;
  learning?: boolean;
  /** FDB ageing in seconds. */
  ageing?: number;
  /** Maximum FDB entries. */
  limit?: number;
  proxy?: boolean;
  l2miss?: boolean;
  l3miss?: boolean;
  udpCsum?: boolean;
}

/** A dummy device (needs CONFIG_DUMMY). */
export interface DummySpec extends CommonLinkSpec {
  kind: 'dummy';
}

/** An 802.1Q/802.1ad VLAN device (needs CONFIG_VLAN_8021Q). */
export interface VlanSpec extends CommonLinkSpec {
  kind: 'vlan';
  link: LinkRef;
  /** VLAN id 1-4094. */
  id: number;
  protocol?: '802.1Q' | '802.1ad';
}

/** Anything `links.add` creates. */
export type LinkSpec = BridgeSpec | VethSpec | TunTapSpec | MacvlanSpec | VxlanSpec | DummySpec | VlanSpec;

/** Bridge options that `links.set` can change on an existing bridge. */
export type BridgeOptions = Pick<
  BridgeSpec,
  | 'stpState'
  | 'forwardDelay'
  | 'helloTime'
  | 'maxAge'
  | 'ageingTime'
  | 'priority'
  | 'multicastSnooping'
  | 'vlanFiltering'
>;

/** Kind-specific changes: name the link's kind, then give that kind's options (as for `add`). */
export type KindChanges =
  | { kind?: undefined }
  | ({ kind: 'bridge' } & BridgeOptions)
  | { kind: 'macvlan' | 'macvtap'; mode?: MacvlanMode };

/** Changes `links.set` applies, in one request. */
export type LinkChanges = CommonChanges & KindChanges;

/** Changes of any kind of link. */
export interface CommonChanges {
  mtu?: number;
  address?: string;
  /** New master by name or index; null detaches. */
  master?: LinkRef | null;
  up?: boolean;
  promisc?: boolean;
  /** Rename. */
  name?: string;
  group?: number;
  txqueuelen?: number;
  /** Move to this namespace (name under /run/netns, or a path). */
  netns?: string;
  /** Interface alias; '' clears it. */
  alias?: string;
}
