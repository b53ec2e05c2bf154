/**
 * Host information: which plugins are loaded and which VIF and port profile versions they take.
 */
import {
  NoMatchingPlugin,
  NoMatchingPortProfileClass,
  NoMatchingVIFClass,
  NoSupportedPortProfileVersion,
  NoSupportedVIFVersion,
} from '../errors.js';
import { type Init, registerObject, VersionedObject, type VersionManifest } from './base.js';
import { olderThan } from './compat.js';
import { field, t } from './fields.js';
import { lookupClass } from './registry.js';
import { compareTuples, parseVersion } from './version.js';

type NotMatching = typeof NoMatchingVIFClass | typeof NoMatchingPortProfileClass;
type NotSupported = typeof NoSupportedVIFVersion | typeof NoSupportedPortProfileVersion;

/**
 * The version to exchange for `name`, given the range `[min, max]` a consumer understands: the
 * highest version within the range that the registered class can write (its own version, or an
 * older minor of the same major it backports to). Unlike os-vif 3.0.0, a range below the
 * registered version is satisfied by a backport instead of failing.
 */
export function commonVersion(
  name: string,
  minVersion: string,
  maxVersion: string,
  notMatching: NotMatching,
  notSupported: NotSupported,
): string {
  const cls = lookupClass(name);
  if (!cls) throw new notMatching({ name });
  const [major = 0, minor = 0] = parseVersion(cls.VERSION);
  const min = parseVersion(minVersion);
  const max = parseVersion(maxVersion);
  for (let m = minor; m >= 0; m--) {
    const v = [major, m];
    if (compareTuples(min, v) <= 0 && compareTuples(v, max) <= 0) return `${major}.${m}`;
  }
  throw new notSupported({
    name,
    got_versions: cls.VERSION,
    min_version: minVersion,
    max_version: maxVersion,
  });
}

/** A port profile class and the versions a plugin takes. */
export class HostPortProfileInfo extends VersionedObject {
  static override readonly objName: string = 'HostPortProfileInfo';
  static override readonly VERSION: string = '1.0';
  static override readonly printsPrimitive: boolean = true;
  static override readonly fields = {
    profile_object_name: field(t.string),
    min_version: field(t.string),
    max_version: field(t.string),
  };
  declare readonly objName: 'HostPortProfileInfo';
  /** Profile class name. */
  declare profile_object_name: string;
  /** Oldest version understood. */
  declare min_version: string;
  /** Newest version understood. */
  declare max_version: string;
  constructor(init: Init<HostPortProfileInfo> = {}) {
    super(init);
  }
  /** The profile version to exchange (see {@link commonVersion}). */
  getCommonVersion(): string {
    return commonVersion(
      this.profile_object_name,
      this.min_version,
      this.max_version,
      NoMatchingPortProfileClass,
      NoSupportedPortProfileVersion,
    );
  }
}
registerObject(HostPortProfileInfo);

/** A VIF class, the versions a plugin takes, and the port profiles it accepts with it. */
export class HostVIFInfo extends VersionedObject {
  static override readonly objName: string = 'HostVIFInfo';
  // 1.1: supported_port_profiles added
  static override readonly VERSION: string = '1.1';
  static override readonly printsPrimitive: boolean = true;
  static override readonly fields = {
    vif_object_name: field(t.string),
    min_version: field(t.string),
    max_version: field(t.string),
    supported_port_profiles: field(t.list(t.object<HostPortProfileInfo>('HostPortProfileInfo'))),
  };
  declare readonly objName: 'HostVIFInfo';
  /** VIF class name. */
  declare vif_object_name: string;
  /** Oldest version understood. */
  declare min_version: string;
  /** Newest version understood. */
  declare max_version: string;
  /** Port profiles accepted with this VIF class. */
  declare supported_port_profiles: HostPortProfileInfo[];
  constructor(init: Init<HostVIFInfo> = {}) {
    super(init);
  }
  /** The VIF version to exchange (see {@link commonVersion}). */
  getCommonVersion(): string {
    return commonVersion(
      this.vif_object_name,
      this.min_version,
      this.max_version,
      NoMatchingVIFClass,
      NoSupportedVIFVersion,
    );
  }
  protected override objMakeCompatible(
    data: Record<string, unknown>,
    target: string,
    manifest?: VersionManifest,
  ): void {
    if (olderThan(target, 1, 1)) delete data.supported_port_profiles;
    super.objMakeCompatible(data, '1.0', manifest);
  }
}
registerObject(HostVIFInfo);

/** A plugin and the VIF classes it plugs (what `describe()` returns). */
export class HostPluginInfo extends VersionedObject {
  static override readonly objName: string = 'HostPluginInfo';
  static override readonly VERSION: string = '1.0';
  static override readonly printsPrimitive: boolean = true;
  static override readonly fields = {
    plugin_name: field(t.string),
    vif_info: field(t.list(t.object<HostVIFInfo>('HostVIFInfo'))),
  };
  declare readonly objName: 'HostPluginInfo';
  /** Plugin name. */
  declare plugin_name: string;
  /** VIF classes supported. */
  declare vif_info: HostVIFInfo[];
  constructor(init: Init<HostPluginInfo> = {}) {
    super(init);
  }
  /** Does the plugin take this VIF class? */
  hasVif(name: string): boolean {
    return this.vif_info.some((v) => v.vif_object_name === name);
  }
  /** The entry of a VIF class; {@link NoMatchingVIFClass} when absent. */
  getVif(name: string): HostVIFInfo {
    const found = this.vif_info.find((v) => v.vif_object_name === name);
    if (!found) throw new NoMatchingVIFClass({ name });
    return found;
  }
  /** Keep only the VIF classes named. */
  filterVifTypes(permitted: readonly string[]): void {
    this.vif_info = this.vif_info.filter((v) => permitted.includes(v.vif_object_name));
  }
}
registerObject(HostPluginInfo);

/** Everything the host's plugins support. */
export class HostInfo extends VersionedObject {
  static override readonly objName: string = 'HostInfo';
  static override readonly VERSION: string = '1.0';
  static override readonly printsPrimitive: boolean = true;
  static override readonly fields = {
    plugin_info: field(t.list(t.object<HostPluginInfo>('HostPluginInfo'))),
  };
  declare readonly objName: 'HostInfo';
  /** One entry per plugin, sorted by name. */
  declare plugin_info: HostPluginInfo[];
  constructor(init: Init<HostInfo> = {}) {
    super(init);
  }
  /** Is a plugin of this name loaded? */
  hasPlugin(name: string): boolean {
    return this.plugin_info.some((p) => p.plugin_name === name);
  }
  /** The entry of a plugin; {@link NoMatchingPlugin} when absent. */
  getPlugin(name: string): HostPluginInfo {
    const found = this.plugin_info.find((p) => p.plugin_name === name);
    if (!found) throw new NoMatchingPlugin({ plugin_name: name });
    return found;
  }
  /** Keep only the VIF classes named; plugins left with none are dropped. */
  filterVifTypes(permitted: readonly string[]): void {
    for (const p of this.plugin_info) p.filterVifTypes(permitted);
    this.plugin_info = this.plugin_info.filter((p) => p.vif_info.length > 0);
  }
}
registerObject(HostInfo);
