/**
 * The library facade: load the plugins once, then plug and unplug VIFs through them.
 *
 * ```ts
 * import * as osvif from 'os-vif';
 * await osvif.initialize({ config: { os_vif_ovs: { ovsdb_connection: 'unix:/run/ovs/db.sock' } } });
 * await osvif.plug(vif, instanceInfo);
 * const info = osvif.hostInfo(['VIFBridge', 'VIFOpenVSwitch']);
 * ```
 */
import { Locks } from '../concurrency/locks.js';
import {
  type ConcurrencyOptions,
  OSLO_CONCURRENCY_GROUP,
  OSLO_CONCURRENCY_OPTIONS,
} from '../concurrency/options.js';
import type { HelperClient } from '../helper/client.js';
import { HelperError } from '../helper/errors.js';
import { type ConfigGroups, gatherGroup, groupName, resolveOptions } from './config.js';
import { defaultSearchDirs, discoverPlugins } from './discovery.js';
import {
  ExceptionBase,
  InvalidConfig,
  LibraryNotInitialized,
  NoMatchingPlugin,
  ObjectTypeError,
  PlugException,
  PluginLoadError,
  UnplugException,
} from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import { HostInfo, HostPluginInfo } from './objects/host-info.js';
import { fromPrimitive } from './objects/index.js';
import { InstanceInfo } from './objects/instance.js';
import { VIFBase } from './objects/vif.js';
import type { PluginBase, PluginClass } from './plugin.js';

/** Plugins given directly: by name, or as a list of classes that carry a `pluginName`. */
export type PluginSet = Readonly<Record<string, PluginClass>> | readonly PluginClass[];

/** Options of {@link initialize}. */
export interface InitializeOptions {
  /**
   * Option groups by os-vif name (`os_vif_ovs`, `os_vif_linux_bridge`), and `oslo_concurrency`
   * (`lock_path`, `disable_process_locking`) for the locks every plugin shares.
   */
  config?: ConfigGroups;
  /** Plugins given directly; they win over built-in and discovered plugins of the same name. */
  plugins?: PluginSet;
  /** Logger with pino's method shape; silent by default. */
  logger?: Logger;
  /** Load the built-in plugins registered with {@link registerBuiltinPlugins} (default true). */
  builtins?: boolean;
  /**
   * Discover plugins in installed npm packages (default true: the `node_modules` beside this
   * package). `{ paths }` searches the given `node_modules` directories instead; `false` turns it off.
   */
  discover?: boolean | { paths: readonly string[] };
  /**
   * Send plug, unplug and host-info to a running `os-vif helper` on this unix socket instead of
   * loading plugins here (docs/helper.md): this process then needs no privilege. The helper's
   * HostInfo is read once, here, so {@link hostInfo} stays synchronous. Exclusive with `config`
   * and `plugins` (the helper has its own). `timeoutMs` bounds each call (default 330 s).
   */
  helper?: { socket: string; timeoutMs?: number };
}

interface Manager {
  readonly plugins: ReadonlyMap<string, PluginBase>;
  readonly logger: Logger;
  /** Set when calls go through a helper. */
  readonly remote?: { client: HelperClient; hostInfo: HostInfo; names: string[] };
}

let manager: Manager | undefined;
let loading: Promise<Manager> | undefined;
let builtinPlugins: Record<string, PluginClass> = {};

/**
 * Register the built-in plugins (the `src/plugins` layer does this); they are loaded by every
 * later {@link initialize} unless `builtins: false`. Replaces any earlier registration.
 */
export function registerBuiltinPlugins(plugins: PluginSet): void {
  builtinPlugins = normalise(plugins);
}

function normalise(set: PluginSet | undefined): Record<string, PluginClass> {
  if (!set) return {};
  if (!Array.isArray(set)) return { ...(set as Record<string, PluginClass>) };
  const out: Record<string, PluginClass> = {};
  for (const cls of set as readonly PluginClass[]) {
    if (!cls.pluginName)
      throw new PluginLoadError({ plugin_name: '?', reason: 'a plugin given in a list needs a pluginName' });
    out[cls.pluginName] = cls;
  }
  return out;
}

async function load(options: InitializeOptions): Promise<Manager> {
  const logger = options.logger ?? silentLogger;
  if (options.helper) return loadRemote(options.helper, options, logger);
  const chosen = new Map<string, PluginClass>();
  if (options.discover !== false) {
    const dirs = typeof options.discover === 'object' ? options.discover.paths : await defaultSearchDirs();
    for (const d of await discoverPlugins(dirs, logger)) chosen.set(d.name, d.cls);
  }
  if (options.builtins !== false)
    for (const [name, cls] of Object.entries(builtinPlugins)) chosen.set(name, cls);
  for (const [name, cls] of Object.entries(normalise(options.plugins))) chosen.set(name, cls);

  // Check every plugin's options before any plugin is built.
  const configs = new Map<string, ReturnType<typeof resolveOptions>>();
  for (const [name, cls] of chosen) {
    const group = groupName(name);
    const declared = cls.CONFIG_OPTS ?? [];
    configs.set(name, resolveOptions(group, declared, gatherGroup(options.config, group, declared)));
  }
  const concurrency = resolveOptions(
    OSLO_CONCURRENCY_GROUP,
    OSLO_CONCURRENCY_OPTIONS,
    gatherGroup(options.config, OSLO_CONCURRENCY_GROUP, OSLO_CONCURRENCY_OPTIONS),
  ) as unknown as ConcurrencyOptions;
  const locks = new Locks(concurrency);
  const plugins = new Map<string, PluginBase>();
  try {
    for (const name of [...chosen.keys()].sort()) {
      const cls = chosen.get(name) as PluginClass;
      try {
        plugins.set(name, await cls.load({ name, config: configs.get(name) ?? {}, logger, locks }));
      } catch (err) {
        throw new PluginLoadError({ plugin_name: name, reason: errorText(err) }, { cause: err });
      }
      logger.debug({ plugin: name }, `Loaded VIF plugin class '${name}' with name '${name}'`);
    }
  } catch (err) {
    await closeAll(plugins, logger);
    throw err;
  }
  logger.info({ plugins: [...plugins.keys()] }, `Loaded VIF plugins: ${[...plugins.keys()].join(', ')}`);
  return { plugins, logger };
}

async function loadRemote(
  helper: NonNullable<InitializeOptions['helper']>,
  options: InitializeOptions,
  logger: Logger,
): Promise<Manager> {
  if (options.plugins || (options.config && Object.keys(options.config).length > 0)) {
    throw new InvalidConfig({
      group: 'helper',
      option: 'socket',
      reason: 'config and plugins belong to the helper; give neither with helper',
    });
  }
  // loaded on demand: the client's error catalogue imports the plugin layer, which imports this one
  const { HelperClient } = await import('../helper/client.js');
  const client = new HelperClient(helper);
  const hostInfo = await client.hostInfo();
  const names = hostInfo.plugin_info.map((p) => p.plugin_name).sort();
  logger.info({ helper: helper.socket, plugins: names }, `Using the os-vif helper at ${helper.socket}`);
  return { plugins: new Map(), logger, remote: { client, hostInfo, names } };
}

/**
 * Load the plugins: discovered packages, the registered built-ins, then those given (a later
 * source wins for the same name); check their options; build them. Idempotent: later calls do
 * nothing until {@link reset}. Concurrent calls share one load. A failure leaves the library
 * uninitialised (plugins already built are closed) and raises `InvalidConfig` or `PluginLoadError`.
 */
export async function initialize(options: InitializeOptions = {}): Promise<void> {
  if (manager) return;
  if (!loading) {
    loading = load(options).then(
      (m) => {
        manager = m;
        return m;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
  }
  await loading;
}

async function closeAll(plugins: ReadonlyMap<string, PluginBase>, logger: Logger): Promise<void> {
  for (const [name, p] of plugins) {
    try {
      await p.close();
    } catch (err) {
      logger.warn({ plugin: name, err }, 'VIF plugin failed to close');
    }
  }
}

/** Forget the loaded plugins (closing them), so that the next {@link initialize} loads again. */
export async function reset(): Promise<void> {
  const current = manager ?? (await loading?.catch(() => undefined));
  manager = undefined;
  loading = undefined;
  if (current) await closeAll(current.plugins, current.logger);
}

/** Is the library initialised? */
export function isInitialized(): boolean {
  return manager !== undefined;
}

/** Do calls go to an `os-vif helper` (`initialize({ helper })`)? For the batch's default concurrency. */
export function throughHelper(): boolean {
  return requireManager().remote !== undefined;
}

/** Names of the loaded plugins, sorted. */
export function loadedPlugins(): string[] {
  const m = requireManager();
  return m.remote ? [...m.remote.names] : [...m.plugins.keys()];
}

function requireManager(): Manager {
  if (!manager) throw new LibraryNotInitialized();
  return manager;
}

function errorText(err: unknown): string {
  if (err instanceof ExceptionBase) return err.formatMessage();
  return err instanceof Error ? err.message : String(err);
}

function checkArgs(vif: unknown, instanceInfo: unknown): void {
  if (!(vif instanceof VIFBase)) {
    throw new ObjectTypeError('vif must be a VIF object (load primitives with objects.fromPrimitive)', {
      value: vif,
    });
  }
  if (!(instanceInfo instanceof InstanceInfo)) {
    throw new ObjectTypeError('instanceInfo must be an InstanceInfo object', { value: instanceInfo });
  }
}

type Action = 'plug' | 'unplug';

async function dispatch(action: Action, vif: VIFBase, instanceInfo: InstanceInfo): Promise<void> {
  const m = requireManager();
  checkArgs(vif, instanceInfo);
  if (m.remote) return dispatchRemote(m, m.remote.client, action, vif, instanceInfo);
  const plugin = m.plugins.get(vif.plugin);
  if (!plugin) throw new NoMatchingPlugin({ plugin_name: vif.plugin });
  const fields = { vif: String(vif), instance: String(instanceInfo), plugin: vif.plugin };
  const verb = action === 'plug' ? 'plugged' : 'unplugged';
  m.logger.debug(fields, `${action === 'plug' ? 'Plugging' : 'Unplugging'} vif ${fields.vif}`);
  const start = performance.now();
  try {
    await (action === 'plug' ? plugin.plug(vif, instanceInfo) : plugin.unplug(vif, instanceInfo));
  } catch (err) {
    const durationMs = performance.now() - start;
    m.logger.error({ ...fields, durationMs, err }, `Failed to ${action} vif ${fields.vif}`);
    const Wrap = action === 'plug' ? PlugException : UnplugException;
    throw new Wrap({ vif: fields.vif, err: errorText(err) }, { cause: err });
  }
  m.logger.info(
    { ...fields, durationMs: performance.now() - start },
    `Successfully ${verb} vif ${fields.vif}`,
  );
}

/**
 * The helper answers with the errors its own facade raised (rebuilt as the same classes); only a
 * failure of the helper itself (unreachable, timed out, refused) is wrapped here, as a plugin
 * failure would be.
 */
async function dispatchRemote(
  m: Manager,
  client: HelperClient,
  action: Action,
  vif: VIFBase,
  instanceInfo: InstanceInfo,
): Promise<void> {
  const fields = { vif: String(vif), instance: String(instanceInfo), plugin: vif.plugin };
  const start = performance.now();
  try {
    await client[action](vif, instanceInfo);
  } catch (err) {
    m.logger.error(
      { ...fields, durationMs: performance.now() - start, err },
      `Failed to ${action} vif ${fields.vif}`,
    );
    if (!(err instanceof HelperError)) throw err;
    const Wrap = action === 'plug' ? PlugException : UnplugException;
    throw new Wrap({ vif: fields.vif, err: errorText(err) }, { cause: err });
  }
  m.logger.info(
    { ...fields, durationMs: performance.now() - start },
    `${action} of vif ${fields.vif} done by the helper`,
  );
}

/**
 * Plug a VIF with the plugin named by `vif.plugin`. Raises `LibraryNotInitialized`,
 * `NoMatchingPlugin`, or `PlugException` wrapping the plugin's failure (kept as `cause`).
 */
export function plug(vif: VIFBase, instanceInfo: InstanceInfo): Promise<void> {
  return dispatch('plug', vif, instanceInfo);
}

/** Unplug a VIF; like {@link plug}, with `UnplugException`. */
export function unplug(vif: VIFBase, instanceInfo: InstanceInfo): Promise<void> {
  return dispatch('unplug', vif, instanceInfo);
}

/**
 * What the loaded plugins support, sorted by plugin name. With `permitted` (even empty), only
 * those VIF classes are kept and plugins left with none are dropped. Use
 * `HostVIFInfo.getCommonVersion()` to negotiate the version to exchange.
 */
export function hostInfo(permitted?: readonly string[]): HostInfo {
  const m = requireManager();
  if (m.remote) {
    const host = fromPrimitive(m.remote.hostInfo.toPrimitive(), HostInfo);
    if (permitted) host.filterVifTypes(permitted);
    return host;
  }
  const infos = [...m.plugins.keys()].sort().map((name) => {
    const info = (m.plugins.get(name) as PluginBase).describe();
    if (!(info instanceof HostPluginInfo)) {
      throw new PluginLoadError({ plugin_name: name, reason: 'describe() must return a HostPluginInfo' });
    }
    return info;
  });
  const host = new HostInfo({ plugin_info: infos });
  if (permitted) host.filterVifTypes(permitted);
  return host;
}
