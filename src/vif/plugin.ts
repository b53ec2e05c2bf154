/**
 * The plugin contract. A plugin plugs and unplugs VIFs of the classes it describes, for the VIFs
 * whose `plugin` field names it.
 *
 * ```ts
 * import { PluginBase, type PluginContext, objects } from 'os-vif/vif';
 *
 * export class MyPlugin extends PluginBase {
 *   static override readonly CONFIG_OPTS = [
 *     { name: 'bridge', type: 'string', default: 'br-x', help: 'bridge to use' },
 *   ] as const;
 *   constructor(private readonly ctx: PluginContext) { super(); }
 *   describe() {
 *     return describePlugin({ plugin_name: this.ctx.name, vif_info: [
 *       { vif_object_name: 'VIFOpenVSwitch', min_version: '1.0', max_version: '1.0' }] });
 *   }
 *   async plug(vif: objects.VIFBase) {
 *     if (vif instanceof objects.VIFOpenVSwitch) console.log(vif.network?.bridge, this.ctx.config.bridge);
 *   }
 *   async unplug() {}
 * }
 * ```
 *
 * Reading a field that is unset throws `ObjectFieldNotSet` (as Python's `NotImplementedError`);
 * use `obj.objGet('field')` (undefined when unset) or `obj.objAttrIsSet('field')` for optional data.
 */
import type { Locks } from '../concurrency/locks.js';
import type { ConfigOption, OptionValue } from './config.js';
import type { Logger } from './logger.js';
import { HostPluginInfo, HostPortProfileInfo, HostVIFInfo } from './objects/host-info.js';
import type { InstanceInfo } from './objects/instance.js';
import type { VIFBase } from './objects/vif.js';

/** What a plugin is given when it is loaded. */
export interface PluginContext {
  /** The name it is registered under (the `vif.plugin` value it serves). */
  readonly name: string;
  /** Its option group `os_vif_<name>`, checked against `CONFIG_OPTS`, defaults filled in. */
  readonly config: Readonly<Record<string, OptionValue>>;
  /** The library's logger. */
  readonly logger: Logger;
  /**
   * os-vif's named locks (`nova-lock_bridge`, ...), shared by the plugins of this library and,
   * through lock files in `[oslo_concurrency] lock_path`, by every process on the host.
   */
  readonly locks: Locks;
}

/** A loadable plugin class (its statics). Any subclass of {@link PluginBase} is one. */
export interface PluginClass {
  /** Suggested registration name (used when the class is given in a list). */
  readonly pluginName?: string;
  /** Declared options. */
  readonly CONFIG_OPTS: readonly ConfigOption[];
  /** Build the plugin (Python's `PluginBase.load`). */
  load(context: PluginContext): PluginBase | Promise<PluginBase>;
}

/** Base class of every VIF plugin. */
export abstract class PluginBase {
  /** Suggested registration name. */
  static readonly pluginName?: string;
  /** Declared options of group `os_vif_<name>` (none by default). */
  static readonly CONFIG_OPTS: readonly ConfigOption[] = [];

  /**
   * Build the plugin from its context. The default calls `new this(context)`; a plugin whose
   * constructor needs more (e.g. a host seam) overrides it.
   */
  static load(
    this: new (
      context: PluginContext,
    ) => PluginBase,
    context: PluginContext,
  ): PluginBase | Promise<PluginBase> {
    return new this(context);
  }

  /** What the plugin supports: VIF classes and versions, port profiles per VIF class. */
  abstract describe(): HostPluginInfo;

  /** Plug a VIF for an instance; resolves when done, rejects (with the cause) on failure. */
  abstract plug(vif: VIFBase, instanceInfo: InstanceInfo): Promise<void> | void;

  /** Unplug a VIF; must be harmless when nothing is plugged. */
  abstract unplug(vif: VIFBase, instanceInfo: InstanceInfo): Promise<void> | void;

  /** Release what the plugin holds (connections); called by `reset()`. */
  close(): Promise<void> | void {}
}

/** A `describe()` answer as plain data (`supported_port_profiles` may be omitted). */
export interface PluginDescription {
  plugin_name: string;
  vif_info: readonly {
    vif_object_name: string;
    min_version: string;
    max_version: string;
    supported_port_profiles?: readonly {
      profile_object_name: string;
      min_version: string;
      max_version: string;
    }[];
  }[];
}

/** Build the HostPluginInfo object of a plain description. */
export function describePlugin(description: PluginDescription): HostPluginInfo {
  return new HostPluginInfo({
    plugin_name: description.plugin_name,
    vif_info: description.vif_info.map(
      (v) =>
        new HostVIFInfo({
          vif_object_name: v.vif_object_name,
          min_version: v.min_version,
          max_version: v.max_version,
          supported_port_profiles: (v.supported_port_profiles ?? []).map(
            (p) => new HostPortProfileInfo({ ...p }),
          ),
        }),
    ),
  });
}
