/** What `attach` and `detach` take and what `attach` returns. */
import type { objects, PluginBase } from '../vif/index.js';

/**
 * A persistent tap named `vif.vif_name` for a VMM that opens it by name (QEMU `ifname=`,
 * Firecracker `host_dev_name`, cloud-hypervisor `tap=`).
 */
export interface TapTarget {
  kind: 'tap';
  /** Owning uid (TUNSETOWNER): the VMM's user may open the tap without privileges. */
  owner?: number;
  /** Owning gid (TUNSETGROUP). */
  group?: number;
  /** IFF_MULTI_QUEUE: the VMM opens one fd per queue. */
  multiQueue?: boolean;
  /** IFF_VNET_HDR: frames carry a virtio-net header (what virtio-net backends want). */
  vnetHdr?: boolean;
}

/** A macvtap for a `VIFDirect`, named `vif.vif_name`. */
export interface MacvtapTarget {
  kind: 'macvtap';
  /**
   * The mode; default the VIF's (`passthrough` is the kernel's `passthru`). `private` is the
   * one mode os-vif's VIFDirect cannot name.
   */
  mode?: 'vepa' | 'bridge' | 'private' | 'passthrough';
  /**
   * The lower device; default `vif.vlan_name` when set, else the netdev of the PCI function
   * `vif.dev_address` (read from `/sys/bus/pci/devices/<address>/net`).
   */
  dev?: string;
}

/** A container's interface: a veth whose host end is plugged as a tap would be. */
export interface NetnsTarget {
  kind: 'netns';
  /**
   * The container's network namespace: a name under /run/netns, or a path (`/proc/PID/ns/net`).
   * `detach` needs only the host end: there it may be '' (a namespace already gone).
   */
  netns: string;
  /** The interface name inside the namespace (default `eth0`). */
  ifname?: string;
  /**
   * Add a default route through each family's first subnet gateway, unless a subnet route is
   * the default already (default true). The CNI plugin turns it off: a CNI result's routes are
   * exactly IPAM's.
   */
  defaultRoute?: boolean;
}

/** Where the guest side goes. */
export type GuestTarget = TapTarget | MacvtapTarget | NetnsTarget;

/** Options of `attach`/`detach`. */
export interface GuestOptions {
  /**
   * The namespace the host side lives in (where the plugin acts); a name under /run/netns or
   * a path. Default: the current one.
   */
  netns?: string;
  /**
   * The plugin that plugs the host side. Default: the library's (`initialize()` first), chosen
   * by `vif.plugin`, as a hypervisor driver calls `os_vif.plug`.
   */
  plugin?: Pick<PluginBase, 'plug' | 'unplug'>;
}

/** An interface as a CNI result lists it. */
export interface GuestInterface {
  name: string;
  mac?: string;
  /** The namespace path for an interface inside a container. */
  sandbox?: string;
}

/** An address as a CNI result lists it (`interface` indexes `interfaces`). */
export interface GuestIp {
  address: string;
  gateway?: string;
  interface: number;
}

/** A route as a CNI result lists it. */
export interface GuestRoute {
  dst: string;
  gw?: string;
}

/** What a netns attach configured, in the shape of a CNI result. */
export interface NetnsAttachment {
  kind: 'netns';
  interfaces: GuestInterface[];
  ips: GuestIp[];
  routes: GuestRoute[];
  dns: { nameservers?: string[] };
}

/** What a tap attach made. */
export interface TapAttachment {
  kind: 'tap';
  /** The tap's name (`vif.vif_name`). */
  name: string;
  ifindex: number;
  /** The tap's (host-side) MAC: `fe:` and the VIF MAC's last five bytes, as libvirt sets it. */
  mac: string;
  /** The MAC the guest's NIC must use (`vif.address`). */
  guestMac: string | null;
  mtu: number;
}

/** What a macvtap attach made. */
export interface MacvtapAttachment {
  kind: 'macvtap';
  name: string;
  ifindex: number;
  /** The character device a VMM opens: `/dev/tap<ifindex>`. */
  path: string;
  /** The kernel's mode name (`passthru` for passthrough). */
  mode: string;
  /** The lower device. */
  lower: string;
  mac: string | null;
}

/** What `attach` returns, by target kind. */
export type Attachment<T extends GuestTarget> = T extends TapTarget
  ? TapAttachment
  : T extends MacvtapTarget
    ? MacvtapAttachment
    : NetnsAttachment;

/** The VIF classes whose host side is a device named `vif_name` on a bridge or an OVS port. */
export type PortVif = objects.VIFBridge | objects.VIFOpenVSwitch;
