/**
 * VIF classes: what a compute agent asks a plugin to plug.
 */
import { type Init, registerObject, VersionedObject, type VersionManifest } from './base.js';
import { olderThan } from './compat.js';
import { field, t } from './fields.js';
import type { Network } from './network.js';
import type { VIFPortProfileBase } from './profiles.js';

/** Names of the VIF classes. */
export type VIFName =
  | 'VIFBase'
  | 'VIFGeneric'
  | 'VIFBridge'
  | 'VIFOpenVSwitch'
  | 'VIFDirect'
  | 'VIFVHostUser'
  | 'VIFHostDevice'
  | 'VIFNestedDPDK';

/** Modes of a macvtap VIF. */
export type VIFDirectMode = 'vepa' | 'passthrough' | 'bridge';
/** QEMU's role on a vhost-user socket. */
export type VIFVHostUserMode = 'client' | 'server';
/** Kinds of PCI host device. */
export type VIFHostDeviceDevType = 'ethernet' | 'generic';

/** Root of the VIF classes (instantiable, as in Python). */
export class VIFBase extends VersionedObject {
  static override readonly objName: string = 'VIFBase';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {
    id: field(t.uuid),
    address: field(t.mac, { nullable: true }),
    network: field(t.object<Network>('Network'), { nullable: true }),
    plugin: field(t.string),
    active: field(t.boolean, { default: true }),
    preserve_on_delete: field(t.boolean, { default: false }),
    has_traffic_filtering: field(t.boolean, { default: false }),
    port_profile: field(t.object<VIFPortProfileBase>('VIFPortProfileBase', true)),
  };
  declare readonly objName: VIFName;
  /** Port id (Neutron port UUID). */
  declare id: string;
  /** Guest MAC address. */
  declare address: string | null;
  /** Network attached to. */
  declare network: Network | null;
  /** Name of the plugin that must plug it (the dispatch key). */
  declare plugin: string;
  /** Whether the link starts up. */
  declare active: boolean;
  /** Keep the host device on unplug (informational). */
  declare preserve_on_delete: boolean;
  /** The network service already filters traffic. */
  declare has_traffic_filtering: boolean;
  /** Backend-specific metadata (any port profile class). */
  declare port_profile: VIFPortProfileBase;
  constructor(init: Init<VIFBase> = {}) {
    super(init);
  }
}
registerObject(VIFBase);

/** A bare tap device created by the plugin (libvirt `ethernet`). */
export class VIFGeneric extends VIFBase {
  static override readonly objName: string = 'VIFGeneric';
  static override readonly fields = { ...VIFBase.fields, vif_name: field(t.string) };
  declare readonly objName: 'VIFGeneric';
  /** Host device name. */
  declare vif_name: string;
  constructor(init: Init<VIFGeneric> = {}) {
    super(init);
  }
}
registerObject(VIFGeneric);

/** A tap attached by the hypervisor to a Linux bridge (libvirt `bridge`). */
export class VIFBridge extends VIFBase {
  static override readonly objName: string = 'VIFBridge';
  static override readonly fields = {
    ...VIFBase.fields,
    vif_name: field(t.string),
    bridge_name: field(t.string),
  };
  declare readonly objName: 'VIFBridge';
  /** Host device name. */
  declare vif_name: string;
  /** Linux bridge name. */
  declare bridge_name: string;
  constructor(init: Init<VIFBridge> = {}) {
    super(init);
  }
}
registerObject(VIFBridge);

/** A tap attached to an Open vSwitch bridge. */
export class VIFOpenVSwitch extends VIFBase {
  static override readonly objName: string = 'VIFOpenVSwitch';
  static override readonly fields = {
    ...VIFBase.fields,
    vif_name: field(t.string),
    bridge_name: field(t.string),
  };
  declare readonly objName: 'VIFOpenVSwitch';
  /** Host device name. */
  declare vif_name: string;
  /** OVS bridge name. */
  declare bridge_name: string;
  constructor(init: Init<VIFOpenVSwitch> = {}) {
    super(init);
  }
}
registerObject(VIFOpenVSwitch);

/** A macvtap on a host NIC or VF (libvirt `direct`). */
export class VIFDirect extends VIFBase {
  static override readonly objName: string = 'VIFDirect';
  static override readonly fields = {
    ...VIFBase.fields,
    vif_name: field(t.string),
    dev_address: field(t.pci),
    mode: field(t.enum('VIFDirectMode', ['vepa', 'passthrough', 'bridge'])),
    vlan_name: field(t.string),
  };
  declare readonly objName: 'VIFDirect';
  /** Host device name. */
  declare vif_name: string;
  /** PCI address of the NIC/VF. */
  declare dev_address: string;
  /** macvtap mode. */
  declare mode: VIFDirectMode;
  /** VLAN device name. */
  declare vlan_name: string;
  constructor(init: Init<VIFDirect> = {}) {
    super(init);
  }
}
registerObject(VIFDirect);

/** A vhost-user socket to a userspace switch. */
export class VIFVHostUser extends VIFBase {
  static override readonly objName: string = 'VIFVHostUser';
  // 1.1: vif_name added
  static override readonly VERSION: string = '1.1';
  static override readonly fields = {
    ...VIFBase.fields,
    path: field(t.string),
    mode: field(t.enum('VIFVHostUserMode', ['client', 'server'])),
    vif_name: field(t.string),
  };
  declare readonly objName: 'VIFVHostUser';
  /** Socket path. */
  declare path: string;
  /** QEMU's role on the socket. */
  declare mode: VIFVHostUserMode;
  /** Port name. */
  declare vif_name: string;
  constructor(init: Init<VIFVHostUser> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    if (olderThan(target, 1, 1)) delete data.vif_name;
    super.objMakeCompatible(data, '1.0', manifest);
  }
}
registerObject(VIFVHostUser);

/** A PCI VF/PF passed through to the guest. */
export class VIFHostDevice extends VIFBase {
  static override readonly objName: string = 'VIFHostDevice';
  static override readonly fields = {
    ...VIFBase.fields,
    dev_type: field(t.enum('VIFHostDeviceDevType', ['ethernet', 'generic'])),
    dev_address: field(t.pci),
  };
  declare readonly objName: 'VIFHostDevice';
  /** `ethernet` (interface-style hostdev) or `generic` (raw PCI). */
  declare dev_type: VIFHostDeviceDevType;
  /** PCI address of the device. */
  declare dev_address: string;
  constructor(init: Init<VIFHostDevice> = {}) {
    super(init);
  }
}
registerObject(VIFHostDevice);

/** A nested DPDK interface of a Kubernetes pod (kuryr). */
export class VIFNestedDPDK extends VIFBase {
  static override readonly objName: string = 'VIFNestedDPDK';
  static override readonly fields = {
    ...VIFBase.fields,
    pci_address: field(t.string),
    dev_driver: field(t.string),
  };
  declare readonly objName: 'VIFNestedDPDK';
  /** PCI address (a plain string, not validated). */
  declare pci_address: string;
  /** Driver name. */
  declare dev_driver: string;
  constructor(init: Init<VIFNestedDPDK> = {}) {
    super(init);
  }
}
registerObject(VIFNestedDPDK);

/** Any concrete VIF, discriminated by `objName`. */
export type AnyVIF =
  | VIFGeneric
  | VIFBridge
  | VIFOpenVSwitch
  | VIFDirect
  | VIFVHostUser
  | VIFHostDevice
  | VIFNestedDPDK;
