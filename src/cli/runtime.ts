/**
 * The library as the CLI uses it: the facade initialised with the configuration, the logger of
 * `--log-level` and the built-in plugins (bound to `--netns` when given), plus loading of the
 * VIF and InstanceInfo primitives. Input problems become {@link UsageError}s.
 */
import { existsSync } from 'node:fs';
import { pluginClasses } from '../plugins/index.js';
import * as osvif from '../vif/index.js';
import { CONFIG_OPTIONS } from './config-args.js';
import { logLevel, ndjsonLogger } from './log.js';
import { type Io, type OptionDef, type OptionValues, UsageError } from './usage.js';

/** `--helper`, for plug, unplug and host-info. */
export const HELPER_OPTION: Record<string, OptionDef> = {
  helper: {
    type: 'string',
    value: 'PATH',
    help: 'send the call to the os-vif helper on this unix socket (docs/helper.md)',
  },
};

/** `--log-level`, for the commands that load the library. */
export const LOG_OPTION: Record<string, OptionDef> = {
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    help: 'NDJSON logs on stderr from this level up: trace, debug, info, warn, error, fatal, silent (default: $OS_VIF_LOG_LEVEL or silent)',
  },
};

/** An initialised library for one CLI command. */
export interface Runtime {
  loadVif(primitive: unknown): osvif.objects.VIFBase;
  loadInstance(primitive: unknown): osvif.objects.InstanceInfo;
  plug(vif: osvif.objects.VIFBase, instance: osvif.objects.InstanceInfo): Promise<void>;
  unplug(vif: osvif.objects.VIFBase, instance: osvif.objects.InstanceInfo): Promise<void>;
  /** `plugAll` / `unplugAll`. */
  all(
    action: 'plug' | 'unplug',
    pairs: readonly osvif.VifPair[],
    options: osvif.BatchOptions,
  ): Promise<osvif.BatchResult[]>;
  /** `plugEach` / `unplugEach`. */
  each(
    action: 'plug' | 'unplug',
    source: AsyncIterable<osvif.VifPair>,
    options: osvif.BatchOptions,
  ): Promise<osvif.BatchSummary>;
  /** The HostInfo primitive. */
  hostInfo(permitted?: string[]): unknown;
  close(): Promise<void>;
}

/** Initialises the library for a command. */
export async function openRuntime(options: {
  config: osvif.ConfigGroups;
  netns?: string | undefined;
  /** The command's options (`--log-level`). */
  values: OptionValues;
  /** Where the logs go (stderr). */
  io: Io;
  /** The socket of an `os-vif helper` to send the calls to (`--helper`). */
  helper?: string | undefined;
}): Promise<Runtime> {
  const { netns, helper } = options;
  const level = logLevel(options.values['log-level'] as string | undefined);
  if (helper !== undefined) {
    // the helper has its own namespace and configuration; a request cannot carry either
    const given = [...(netns !== undefined ? ['netns'] : [])];
    for (const name of Object.keys(CONFIG_OPTIONS)) if (options.values[name] !== undefined) given.push(name);
    if (given.length > 0)
      throw new UsageError(
        `--helper: the helper has its own namespace and configuration; drop --${given.join(', --')}`,
      );
    if (!helper.startsWith('/')) throw new UsageError(`--helper must be an absolute path, got ${helper}`);
  }
  if (netns !== undefined) {
    const path = netns.includes('/') ? netns : `/run/netns/${netns}`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(netns) && !netns.startsWith('/'))
      throw new UsageError(`--netns ${netns}: not a namespace name`);
    if (!existsSync(path)) throw new UsageError(`--netns ${netns}: no such network namespace (${path})`);
  }
  await osvif.reset();
  await osvif.initialize({
    ...(helper !== undefined ? { helper: { socket: helper } } : { config: options.config }),
    ...(level === 'silent' ? {} : { logger: ndjsonLogger(level, options.io.err) }),
    ...(netns !== undefined ? { builtins: false, plugins: pluginClasses({ netns }) } : {}),
  });
  return {
    loadVif: (p) => load(p, osvif.objects.VIFBase, 'VIF'),
    loadInstance: (p) => load(p, osvif.objects.InstanceInfo, 'instance'),
    plug: (vif, instance) => osvif.plug(vif, instance),
    unplug: (vif, instance) => osvif.unplug(vif, instance),
    all: (action, pairs, opts) => (action === 'plug' ? osvif.plugAll : osvif.unplugAll)(pairs, opts),
    each: (action, source, opts) => (action === 'plug' ? osvif.plugEach : osvif.unplugEach)(source, opts),
    hostInfo: (permitted) => osvif.hostInfo(permitted).toPrimitive(),
    close: () => osvif.reset(),
  };
}

function load<T extends osvif.objects.VersionedObject>(
  primitive: unknown,
  cls: osvif.objects.ExpectedClass<T>,
  what: string,
): T {
  try {
    return osvif.objects.fromPrimitive(primitive, cls);
  } catch (error) {
    throw new UsageError(
      `${what} primitive rejected: ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
