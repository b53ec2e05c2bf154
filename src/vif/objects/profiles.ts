/**
 * Port profiles (backend-specific metadata of a VIF) and datapath offloads.
 */
import { type Init, registerObject, VersionedObject, type VersionManifest } from './base.js';
import { olderThan } from './compat.js';
import { field, t } from './fields.js';

/** Names of the offload classes. */
export type DatapathOffloadName = 'DatapathOffloadBase' | 'DatapathOffloadRepresentor';

/** Root of the datapath offload classes (no fields). */
export class DatapathOffloadBase extends VersionedObject {
  static override readonly objName: string = 'DatapathOffloadBase';
  static override readonly VERSION: string = '1.0';
  static override readonly fields = {};
  declare readonly objName: DatapathOffloadName;
  constructor(init: Init<DatapathOffloadBase> = {}) {
    super(init);
  }
}
registerObject(DatapathOffloadBase);

/** A VF representor to rename/offload (switchdev). `representor_address` is a plain string. */
export class DatapathOffloadRepresentor extends DatapathOffloadBase {
  static override readonly objName: string = 'DatapathOffloadRepresentor';
  static override readonly fields = {
    ...DatapathOffloadBase.fields,
    representor_name: field(t.string, { nullable: true }),
    representor_address: field(t.string, { nullable: true }),
  };
  declare readonly objName: 'DatapathOffloadRepresentor';
  /** Representor netdev name. */
  declare representor_name: string | null;
  /** PCI address of the VF (not validated, unlike the profile field of the same name). */
  declare representor_address: string | null;
  constructor(init: Init<DatapathOffloadRepresentor> = {}) {
    super(init);
  }
}
registerObject(DatapathOffloadRepresentor);

/** Names of the port profile classes. */
export type PortProfileName =
  | 'VIFPortProfileBase'
  | 'VIFPortProfileOpenVSwitch'
  | 'VIFPortProfileFPOpenVSwitch'
  | 'VIFPortProfileOVSRepresentor'
  | 'VIFPortProfileFPBridge'
  | 'VIFPortProfileFPTap'
  | 'VIFPortProfile8021Qbg'
  | 'VIFPortProfile8021Qbh'
  | 'VIFPortProfileK8sDPDK';

/** Root of the port profiles. */
export class VIFPortProfileBase extends VersionedObject {
  static override readonly objName: string = 'VIFPortProfileBase';
  // 1.1: datapath_offload added
  static override readonly VERSION: string = '1.1';
  static override readonly fields = {
    datapath_offload: field(t.object<DatapathOffloadBase>('DatapathOffloadBase', true), { nullable: true }),
  };
  static override readonly relationships = { datapath_offload: [['1.1', '1.0']] as const };
  declare readonly objName: PortProfileName;
  /** Datapath offload (any DatapathOffloadBase subclass). */
  declare datapath_offload: DatapathOffloadBase | null;
  constructor(init: Init<VIFPortProfileBase> = {}) {
    super(init);
  }
}
registerObject(VIFPortProfileBase);

/** Backport of a direct profile subclass: the base rule at 1.0 or 1.1. */
function directCompat(target: string): string {
  return olderThan(target, 1, 1) ? '1.0' : '1.1';
}

/** Open vSwitch port profile. */
export class VIFPortProfileOpenVSwitch extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfileOpenVSwitch';
  // 1.1: datapath_type · 1.2: base 1.1 (datapath_offload) · 1.3: create_port
  static override readonly VERSION: string = '1.3';
  static override readonly fields = {
    ...VIFPortProfileBase.fields,
    interface_id: field(t.uuid),
    profile_id: field(t.string),
    datapath_type: field(t.string, { nullable: true }),
    create_port: field(t.boolean, { default: false }),
  };
  declare readonly objName:
    | 'VIFPortProfileOpenVSwitch'
    | 'VIFPortProfileFPOpenVSwitch'
    | 'VIFPortProfileOVSRepresentor';
  /** OVS `external_ids:iface-id` (the Neutron port id). */
  declare interface_id: string;
  /** Port profile id. */
  declare profile_id: string;
  /** Bridge datapath type (`system`, `netdev`), null for the default. */
  declare datapath_type: string | null;
  /** The plugin itself adds the port to the bridge. */
  declare create_port: boolean;
  constructor(init: Init<VIFPortProfileOpenVSwitch> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    if (olderThan(target, 1, 3)) delete data.create_port;
    if (olderThan(target, 1, 1)) delete data.datapath_type;
    super.objMakeCompatible(data, olderThan(target, 1, 2) ? '1.0' : '1.1', manifest);
  }
}
registerObject(VIFPortProfileOpenVSwitch);

/** Versions 1.1–1.3 of the OVS-profile subclasses follow their parent's. */
function ovsChildCompat(target: string): string {
  if (olderThan(target, 1, 1)) return '1.0';
  if (olderThan(target, 1, 2)) return '1.1';
  if (olderThan(target, 1, 3)) return '1.2';
  return '1.3';
}

/** Fast-path OVS port profile. */
export class VIFPortProfileFPOpenVSwitch extends VIFPortProfileOpenVSwitch {
  static override readonly objName: string = 'VIFPortProfileFPOpenVSwitch';
  static override readonly fields = {
    ...VIFPortProfileOpenVSwitch.fields,
    bridge_name: field(t.string),
    hybrid_plug: field(t.boolean, { default: false }),
  };
  declare readonly objName: 'VIFPortProfileFPOpenVSwitch';
  /** Fast-path bridge name. */
  declare bridge_name: string;
  /** Whether a hybrid (linux bridge) plug is used. */
  declare hybrid_plug: boolean;
  constructor(init: Init<VIFPortProfileFPOpenVSwitch> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, ovsChildCompat(target), manifest);
  }
}
registerObject(VIFPortProfileFPOpenVSwitch);

/** OVS port profile for a VF representor (deprecated upstream). */
export class VIFPortProfileOVSRepresentor extends VIFPortProfileOpenVSwitch {
  static override readonly objName: string = 'VIFPortProfileOVSRepresentor';
  static override readonly fields = {
    ...VIFPortProfileOpenVSwitch.fields,
    representor_name: field(t.string, { nullable: true }),
    representor_address: field(t.pci, { nullable: true }),
  };
  declare readonly objName: 'VIFPortProfileOVSRepresentor';
  /** Representor netdev name. */
  declare representor_name: string | null;
  /** PCI address of the VF. */
  declare representor_address: string | null;
  constructor(init: Init<VIFPortProfileOVSRepresentor> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, ovsChildCompat(target), manifest);
  }
}
registerObject(VIFPortProfileOVSRepresentor);

/** Fast-path Linux bridge port profile. */
export class VIFPortProfileFPBridge extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfileFPBridge';
  static override readonly fields = { ...VIFPortProfileBase.fields, bridge_name: field(t.string) };
  declare readonly objName: 'VIFPortProfileFPBridge';
  /** Bridge name. */
  declare bridge_name: string;
  constructor(init: Init<VIFPortProfileFPBridge> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, directCompat(target), manifest);
  }
}
registerObject(VIFPortProfileFPBridge);

/** Fast-path tap port profile. */
export class VIFPortProfileFPTap extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfileFPTap';
  static override readonly fields = {
    ...VIFPortProfileBase.fields,
    mac_address: field(t.mac, { nullable: true }),
  };
  declare readonly objName: 'VIFPortProfileFPTap';
  /** MAC of the host-side vhost-user port. */
  declare mac_address: string | null;
  constructor(init: Init<VIFPortProfileFPTap> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, directCompat(target), manifest);
  }
}
registerObject(VIFPortProfileFPTap);

/** IEEE 802.1Qbg (VSI) port profile. */
export class VIFPortProfile8021Qbg extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfile8021Qbg';
  static override readonly fields = {
    ...VIFPortProfileBase.fields,
    manager_id: field(t.integer),
    type_id: field(t.integer),
    type_id_version: field(t.integer),
    instance_id: field(t.uuid),
  };
  declare readonly objName: 'VIFPortProfile8021Qbg';
  /** VSI manager id. */
  declare manager_id: number;
  /** VSI type id. */
  declare type_id: number;
  /** VSI type version. */
  declare type_id_version: number;
  /** VSI instance id. */
  declare instance_id: string;
  constructor(init: Init<VIFPortProfile8021Qbg> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, directCompat(target), manifest);
  }
}
registerObject(VIFPortProfile8021Qbg);

/** IEEE 802.1Qbh port profile. */
export class VIFPortProfile8021Qbh extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfile8021Qbh';
  static override readonly fields = { ...VIFPortProfileBase.fields, profile_id: field(t.string) };
  declare readonly objName: 'VIFPortProfile8021Qbh';
  /** Port profile name. */
  declare profile_id: string;
  constructor(init: Init<VIFPortProfile8021Qbh> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, directCompat(target), manifest);
  }
}
registerObject(VIFPortProfile8021Qbh);

/** Kuryr Kubernetes nested DPDK port profile. */
export class VIFPortProfileK8sDPDK extends VIFPortProfileBase {
  static override readonly objName: string = 'VIFPortProfileK8sDPDK';
  static override readonly fields = {
    ...VIFPortProfileBase.fields,
    l3_setup: field(t.boolean),
    selflink: field(t.string),
    resourceversion: field(t.string),
  };
  declare readonly objName: 'VIFPortProfileK8sDPDK';
  /** Whether L3 is set up for the pod. */
  declare l3_setup: boolean;
  /** Pod self link. */
  declare selflink: string;
  /** Pod resource version. */
  declare resourceversion: string;
  constructor(init: Init<VIFPortProfileK8sDPDK> = {}) {
    super(init);
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    super.objMakeCompatible(data, directCompat(target), manifest);
  }
}
registerObject(VIFPortProfileK8sDPDK);
