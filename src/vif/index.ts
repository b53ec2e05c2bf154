/**
 * `os-vif/vif`: versioned objects, exceptions, the plugin contract and the library facade.
 */

export {
  type BatchOptions,
  type BatchProgress,
  type BatchResult,
  type BatchSummary,
  DEFAULT_BATCH_CONCURRENCY,
  HELPER_BATCH_CONCURRENCY,
  plugAll,
  plugEach,
  unplugAll,
  unplugEach,
  type VifPair,
} from './batch.js';
export {
  type ConfigGroups,
  type ConfigOption,
  gatherGroup,
  groupName,
  type OptionType,
  type OptionValue,
  resolveOptions,
} from './config.js';
export { type DiscoveredPlugin, discoverPlugins, isPluginClass, PACKAGE_KEY } from './discovery.js';
export * from './errors.js';
export {
  hostInfo,
  type InitializeOptions,
  initialize,
  isInitialized,
  loadedPlugins,
  type PluginSet,
  plug,
  registerBuiltinPlugins,
  reset,
  unplug,
} from './facade.js';
export { type LogFn, type Logger, silentLogger } from './logger.js';
/** The os-vif object catalogue: the versioned classes, their fields and (de)serialization. */
export * as objects from './objects/index.js';
export {
  describePlugin,
  PluginBase,
  type PluginClass,
  type PluginContext,
  type PluginDescription,
} from './plugin.js';
