/**
 * The facade: errors before initialize, dispatch by `vif.plugin`, wrapping of plugin failures,
 * logging, option checks, idempotence, reset, and discovery of a plugin package installed in a
 * temporary node_modules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import * as osvif from '../../src/index.js';
import {
  type ConfigOption,
  describePlugin,
  InvalidConfig,
  LibraryNotInitialized,
  NoMatchingPlugin,
  ObjectTypeError,
  objects,
  PlugException,
  PluginBase,
  type PluginContext,
  PluginLoadError,
  UnplugException,
} from '../../src/index.js';

const ID = 'b679325f-ca89-4ee0-a8be-6db1409b69ea';
const instance = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'vm',
  project_id: 'p',
});
function makeVif(plugin: string): objects.VIFOpenVSwitch {
  return new objects.VIFOpenVSwitch({
    id: ID,
    plugin,
    vif_name: 'tapb679325f-ca',
    network: new objects.Network({ id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50', bridge: 'br-int' }),
    port_profile: new objects.VIFPortProfileOpenVSwitch({ interface_id: ID, profile_id: '' }),
  });
}

interface Entry {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}
function recordingLogger(): { entries: Entry[]; logger: osvif.Logger } {
  const entries: Entry[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** initialize() without the built-ins or discovery, unless asked. */
function init(options: osvif.InitializeOptions): Promise<void> {
  return osvif.initialize({ discover: false, builtins: false, ...options });
}

/** A plugin that records calls and fails on demand. */
class Recorder extends PluginBase {
  static override readonly pluginName = 'recorder';
  static override readonly CONFIG_OPTS: readonly ConfigOption[] = [
    { name: 'bridge', type: 'string', default: 'br-int', help: 'bridge' },
    { name: 'mtu', type: 'integer', default: 1500, min: 68, help: 'mtu' },
    { name: 'fail', type: 'boolean', default: false, help: 'fail every call' },
  ];
  static loads = 0;
  static closes = 0;
  readonly calls: string[] = [];
  constructor(readonly ctx: PluginContext) {
    super();
    Recorder.loads++;
  }
  describe() {
    return describePlugin({
      plugin_name: this.ctx.name,
      vif_info: [{ vif_object_name: 'VIFOpenVSwitch', min_version: '1.0', max_version: '1.0' }],
    });
  }
  async plug(vif: objects.VIFBase) {
    if (this.ctx.config.fail) throw new Error('no bridge');
    if (vif instanceof objects.VIFOpenVSwitch)
      this.calls.push(`plug ${vif.vif_name} on ${vif.network?.bridge}`);
  }
  unplug() {
    if (this.ctx.config.fail) throw new Error('still busy');
  }
  override close() {
    Recorder.closes++;
  }
}

test.afterEach.always(async () => {
  await osvif.reset();
});

test.serial('every call before initialize raises LibraryNotInitialized', async (t) => {
  await t.throwsAsync(osvif.plug(makeVif('recorder'), instance), { instanceOf: LibraryNotInitialized });
  await t.throwsAsync(osvif.unplug(makeVif('recorder'), instance), { instanceOf: LibraryNotInitialized });
  t.throws(() => osvif.hostInfo(), {
    instanceOf: LibraryNotInitialized,
    message: 'Before using the os_vif library, you need to call os_vif.initialize()',
  });
});

test.serial(
  'plug dispatches by vif.plugin with checked options and logs the call with its duration',
  async (t) => {
    const { entries, logger } = recordingLogger();
    await init({
      plugins: { recorder: Recorder },
      config: { os_vif_recorder: { bridge: 'br-x', mtu: 9000 } },
      logger,
      discover: false,
    });
    await osvif.plug(makeVif('recorder'), instance);
    const info = entries.find(
      (e) => e.level === 'info' && e.msg?.startsWith('Successfully plugged vif VIFOpenVSwitch('),
    );
    t.truthy(info);
    t.is(typeof info?.obj.durationMs, 'number');
    t.is(info?.obj.instance, String(instance));
    t.truthy(entries.find((e) => e.level === 'info' && e.msg === 'Loaded VIF plugins: recorder'));
    t.deepEqual(osvif.loadedPlugins(), ['recorder']);
  },
);

test.serial('the plugin sees its options with defaults filled in', async (t) => {
  let seen: PluginContext | undefined;
  class Peek extends Recorder {
    constructor(ctx: PluginContext) {
      super(ctx);
      seen = ctx;
    }
  }
  await init({ plugins: { recorder: Peek }, config: { os_vif_recorder: { mtu: 9000 } }, discover: false });
  t.deepEqual(seen?.config, { bridge: 'br-int', mtu: 9000, fail: false });
  t.is(seen?.name, 'recorder');
});

test.serial('an unknown plugin name raises NoMatchingPlugin', async (t) => {
  await init({ plugins: { recorder: Recorder }, discover: false });
  await t.throwsAsync(osvif.plug(makeVif('contrail'), instance), {
    instanceOf: NoMatchingPlugin,
    message: 'No VIF plugin was found with the name contrail',
  });
  await t.throwsAsync(osvif.unplug(makeVif('contrail'), instance), { instanceOf: NoMatchingPlugin });
});

test.serial('plugin failures are wrapped in PlugException / UnplugException keeping the cause', async (t) => {
  const { entries, logger } = recordingLogger();
  await init({ plugins: [Recorder], config: { os_vif_recorder: { fail: true } }, logger, discover: false });
  const vif = makeVif('recorder');
  const p = await t.throwsAsync(osvif.plug(vif, instance), { instanceOf: PlugException });
  t.is(p?.message, `Failed to plug VIF ${String(vif)}. Got error: no bridge`);
  t.is((p?.cause as Error | undefined)?.message, 'no bridge');
  const u = await t.throwsAsync(osvif.unplug(vif, instance), { instanceOf: UnplugException });
  t.is((u?.cause as Error | undefined)?.message, 'still busy');
  t.is(entries.filter((e) => e.level === 'error').length, 2);
});

test.serial('plug needs objects, not primitives', async (t) => {
  await init({ plugins: { recorder: Recorder }, discover: false });
  await t.throwsAsync(osvif.plug(makeVif('recorder').toPrimitive() as never, instance), {
    instanceOf: ObjectTypeError,
  });
  await t.throwsAsync(osvif.plug(makeVif('recorder'), {} as never), { instanceOf: ObjectTypeError });
});

test.serial(
  'bad options are rejected before any plugin is built, naming group, option and value',
  async (t) => {
    Recorder.loads = 0;
    for (const bad of [{ mtu: 'big' }, { mtu: 10 }, { fail: 'false' }, { colour: 'red' }, { bridge: null }]) {
      const err = await t.throwsAsync(
        init({ plugins: { recorder: Recorder }, config: { os_vif_recorder: bad } }),
        { instanceOf: InvalidConfig },
      );
      t.regex(err?.message ?? '', /^Invalid configuration \[os_vif_recorder\] \w+: /);
    }
    t.is(Recorder.loads, 0);
    t.false(osvif.isInitialized());
  },
);

test.serial(
  'initialize is idempotent (also when concurrent) and reset reloads, closing plugins',
  async (t) => {
    Recorder.loads = 0;
    Recorder.closes = 0;
    const opts = { plugins: { recorder: Recorder }, discover: false as const };
    await Promise.all([init(opts), init(opts), init(opts)]);
    await init({ plugins: {}, discover: false });
    t.is(Recorder.loads, 1);
    t.deepEqual(osvif.loadedPlugins(), ['recorder']);
    await osvif.reset();
    t.is(Recorder.closes, 1);
    t.false(osvif.isInitialized());
    await init({ plugins: {}, discover: false, builtins: false });
    t.deepEqual(osvif.loadedPlugins(), []);
  },
);

test.serial(
  'a plugin whose load fails raises PluginLoadError and leaves the library uninitialised',
  async (t) => {
    class Broken extends Recorder {
      static override load(): PluginBase {
        throw new Error('cannot reach the switch');
      }
    }
    const err = await t.throwsAsync(init({ plugins: { recorder: Recorder, broken: Broken } }), {
      instanceOf: PluginLoadError,
    });
    t.is((err?.cause as Error | undefined)?.message, 'cannot reach the switch');
    t.false(osvif.isInitialized());
  },
);

test.serial('built-ins are registered by name; given plugins win over them', async (t) => {
  class Other extends Recorder {}
  osvif.registerBuiltinPlugins({ recorder: Other, second: Recorder });
  try {
    await osvif.initialize({ plugins: { recorder: Recorder }, discover: false });
    t.deepEqual(osvif.loadedPlugins(), ['recorder', 'second']);
    t.deepEqual(
      osvif.hostInfo().plugin_info.map((p) => p.plugin_name),
      ['recorder', 'second'],
    );
    await osvif.reset();
    await osvif.initialize({ discover: false, builtins: false });
    t.deepEqual(osvif.loadedPlugins(), []);
  } finally {
    osvif.registerBuiltinPlugins({});
  }
});

test.serial('hostInfo filters by permitted VIF classes', async (t) => {
  await init({ plugins: { recorder: Recorder }, discover: false });
  t.is(osvif.hostInfo(['VIFOpenVSwitch']).plugin_info.length, 1);
  t.is(osvif.hostInfo(['VIFBridge']).plugin_info.length, 0);
  t.is(osvif.hostInfo([]).plugin_info.length, 0);
  t.is(osvif.hostInfo().getPlugin('recorder').getVif('VIFOpenVSwitch').getCommonVersion(), '1.0');
});

test.serial('a plugin package in node_modules is discovered through its package.json', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ovt-vif-'));
  try {
    const nm = join(root, 'node_modules');
    const entry = pathToFileURL(join(process.cwd(), 'dist', 'src', 'index.js')).href;
    const write = (dir: string, pkg: object, files: Record<string, string>) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    };
    const pluginSource = (name: string) => `
      import { PluginBase, describePlugin } from ${JSON.stringify(entry)};
      export default class extends PluginBase {
        static CONFIG_OPTS = [{ name: 'colour', type: 'string', default: 'blue', help: 'c' }];
        constructor(ctx) { super(); this.ctx = ctx; }
        describe() { return describePlugin({ plugin_name: ${JSON.stringify(name)}, vif_info: [
          { vif_object_name: 'VIFGeneric', min_version: '1.0', max_version: '1.0' }] }); }
        plug(vif) { globalThis.__acmePlugged = vif.id + ' ' + this.ctx.config.colour; }
        unplug() {}
      }`;
    write(
      join(nm, 'os-vif-plugin-acme'),
      { name: 'os-vif-plugin-acme', 'os-vif': { plugins: { acme: './plugin.js' } } },
      {
        'plugin.js': pluginSource('acme'),
      },
    );
    write(
      join(nm, '@corp', 'vif-extra'),
      { name: '@corp/vif-extra', 'os-vif': { plugins: { extra: './lib.js#Extra', broken: './missing.js' } } },
      { 'lib.js': `export { default as Extra } from './impl.js';`, 'impl.js': pluginSource('extra') },
    );
    write(join(nm, 'unrelated'), { name: 'unrelated' }, {});
    write(
      join(nm, 'escaper'),
      { name: 'escaper', 'os-vif': { plugins: { evil: '../os-vif-plugin-acme/plugin.js' } } },
      {},
    );

    const { entries, logger } = recordingLogger();
    await init({
      discover: { paths: [nm] },
      builtins: false,
      config: { os_vif_acme: { colour: 'red' } },
      logger,
    });
    t.deepEqual(osvif.loadedPlugins(), ['acme', 'extra']);
    const skipped = entries.filter((e) => e.level === 'error').map((e) => e.obj.plugin);
    t.deepEqual(skipped.sort(), ['broken', 'evil']);
    await osvif.plug(new objects.VIFGeneric({ id: ID, plugin: 'acme' }), instance);
    t.is((globalThis as { __acmePlugged?: string }).__acmePlugged, `${ID} red`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.serial('an option declaring a deprecated group is also read from it (e.g. DEFAULT)', async (t) => {
  let seen: PluginContext | undefined;
  class Legacy extends Recorder {
    static override readonly CONFIG_OPTS: readonly ConfigOption[] = [
      { name: 'mtu', type: 'integer', default: 1500, help: 'mtu', deprecatedGroup: 'DEFAULT' },
      { name: 'bridge', type: 'string', default: 'br-int', help: 'bridge' },
    ];
    constructor(ctx: PluginContext) {
      super(ctx);
      seen = ctx;
    }
  }
  const config = { DEFAULT: { mtu: 9000, bridge: 'ignored', unrelated: true }, os_vif_recorder: {} };
  await init({ plugins: { recorder: Legacy }, config });
  t.deepEqual(seen?.config, { mtu: 9000, bridge: 'br-int' });
  await osvif.reset();
  await init({ plugins: { recorder: Legacy }, config: { ...config, os_vif_recorder: { mtu: 1400 } } });
  t.is(seen?.config.mtu, 1400, 'the own group wins');
  await osvif.reset();
  await t.throwsAsync(init({ plugins: { recorder: Legacy }, config: { DEFAULT: { mtu: 'big' } } }), {
    instanceOf: InvalidConfig,
  });
});
