/**
 * `os-vif/plugins`: the reference plugins `linux_bridge`, `ovs` and `noop`, registered with the
 * library as built-ins when this module is imported (the package's main entry imports it).
 *
 * ```ts
 * import { initialize, plug } from 'os-vif';
 * await initialize({ config: { os_vif_ovs: { ovsdb_connection: 'unix:/run/openvswitch/db.sock' } } });
 * await plug(vif, instanceInfo);
 * // the same plugins acting inside another network namespace:
 * await initialize({ builtins: false, plugins: pluginClasses({ netns: 'compute1' }) });
 * ```
 */
import { type PluginBase, type PluginContext, registerBuiltinPlugins } from '../vif/index.js';
import { type HostOptions, hostFactory } from './host/defaults.js';
import { LinuxBridgePlugin } from './linux-bridge/plugin.js';
import { NoopPlugin } from './noop.js';
import { OvsPlugin } from './ovs/plugin.js';

export {
  InvalidVif,
  MissingPortProfile,
  OvnNotInstalled,
  OvnNotReleased,
  PciDeviceNotFoundById,
  RepresentorNotFound,
  UnexpectedDevice,
  UnsupportedVif,
  WrongPortProfile,
} from './errors.js';
export { type HostOptions, hostFactory } from './host/defaults.js';
export type { LinkHost } from './host/links.js';
export type { InterfaceState, SwitchHost, SwitchLimit, SwitchStep } from './host/switch.js';
export { LinuxBridgePlugin, type LinuxBridgePluginContext } from './linux-bridge/plugin.js';
export { ovsNames, portName } from './names.js';
export { NoopPlugin } from './noop.js';
export { LINUX_BRIDGE_OPTIONS, OVS_OPTIONS } from './options.js';
export { type OvsHostFactory, OvsPlugin, type OvsPluginContext } from './ovs/plugin.js';

/**
 * The three plugin classes, bound to `options` (for instance a namespace): pass the result to
 * `initialize({ plugins })`. Without options they act in the current namespace.
 */
export function pluginClasses(options: HostOptions = {}): {
  linux_bridge: typeof LinuxBridgePlugin;
  noop: typeof NoopPlugin;
  ovs: typeof OvsPlugin;
} {
  class Ovs extends OvsPlugin {
    static override load(context: PluginContext): PluginBase {
      return OvsPlugin.load({ ...context, hosts: hostFactory(options) });
    }
  }
  class LinuxBridge extends LinuxBridgePlugin {
    static override load(context: PluginContext): PluginBase {
      return LinuxBridgePlugin.load({ ...context, hosts: hostFactory(options) });
    }
  }
  return { linux_bridge: LinuxBridge, noop: NoopPlugin, ovs: Ovs };
}

registerBuiltinPlugins({ linux_bridge: LinuxBridgePlugin, noop: NoopPlugin, ovs: OvsPlugin });
