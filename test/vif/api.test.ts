/**
 * The library API against `api.json`: exception catalogue, host info through the facade,
 * version negotiation, lookups and backport target edge cases.
 */
import test from 'ava';
import * as vif from '../../src/vif/index.js';
import { objects, PluginBase, type PluginContext } from '../../src/vif/index.js';
import { canonical, type PyError, pythonName, readVector } from './vectors.js';

interface Api {
  exceptions: {
    exception: string;
    module: string;
    kwargs: Record<string, unknown>;
    message: string;
    template: string;
  }[];
  host_info: Record<string, Record<string, unknown>>;
  get_common_version_cases: {
    kind: string;
    name: string;
    min_version: string;
    max_version: string;
    result?: string;
    error?: PyError;
  }[];
  lookups: { call: string; result?: boolean; error?: PyError }[];
  target_version_cases: { case: string; target_version: string; result?: unknown; error?: PyError }[];
  dispatch_errors: { call: string; error: PyError }[];
  plugin_names_loaded: string[];
}
const api = readVector<Api>('api.json');

// The ovs plugin's own exceptions (vif_plug_ovs.exception) live in src/plugins.
api.exceptions
  .filter((e) => e.module === 'os_vif.exception')
  .forEach((e, i) => {
    test(`exception #${i + 1} ${e.exception}${JSON.stringify(e.kwargs)}: template and formatted message`, (t) => {
      const Cls = (vif as unknown as Record<string, typeof vif.ExceptionBase>)[e.exception];
      t.truthy(Cls, `${e.exception} is exported`);
      if (e.template !== undefined) t.is(Cls.template, e.template);
      const { message, ...kwargs } = e.kwargs;
      const err = new Cls(kwargs, typeof message === 'string' ? { message } : {});
      t.true(err instanceof vif.ExceptionBase);
      t.true(err instanceof Error);
      t.is(err.name, e.exception);
      t.is(err.message, e.message);
      t.is(err.formatMessage(), e.message);
      t.deepEqual(err.kwargs, kwargs);
    });
  });

test('an explicit message wins; a template with a missing key is used raw; the cause is kept', (t) => {
  t.is(new vif.NoMatchingPlugin({}, { message: 'custom' }).message, 'custom');
  t.is(new vif.NoMatchingPlugin({}).message, 'No VIF plugin was found with the name %(plugin_name)s');
  const cause = new Error('root');
  t.is(new vif.PlugException({ vif: 'v', err: 'e' }, { cause }).cause, cause);
});

/** Fake plugins that describe exactly what Python's three in-tree plugins advertise. */
const allInfo = objects.fromPrimitive(api.host_info.all, objects.HostInfo);
function pythonLikePlugins(): Record<string, vif.PluginClass> {
  const out: Record<string, vif.PluginClass> = {};
  for (const p of allInfo.plugin_info) {
    const prim = p.toPrimitive();
    out[p.plugin_name] = class extends PluginBase {
      constructor(_ctx: PluginContext) {
        super();
      }
      describe() {
        return objects.fromPrimitive(prim, objects.HostPluginInfo);
      }
      plug() {}
      unplug() {}
    };
  }
  return out;
}

const permitted: Record<string, readonly string[] | undefined> = {
  all: undefined,
  permitted_VIFBridge: ['VIFBridge'],
  permitted_VIFVHostUser_VIFHostDevice: ['VIFVHostUser', 'VIFHostDevice'],
  permitted_empty_list: [],
  permitted_unknown_name: ['VIFNope'],
};

test.serial(
  'hostInfo() with the three in-tree plugins equals Python host_info(), filtered or not',
  async (t) => {
    await vif.initialize({ plugins: pythonLikePlugins(), discover: false, builtins: false });
    try {
      t.deepEqual(vif.loadedPlugins(), api.plugin_names_loaded);
      for (const [key, list] of Object.entries(permitted)) {
        t.is(canonical(vif.hostInfo(list).toPrimitive()), canonical(api.host_info[key]), key);
      }
    } finally {
      await vif.reset();
    }
  },
);

/**
 * Python's negotiation fails when the advertised range is older than the registered class, even
 * though the class backports to it. This port answers with the backport target instead.
 */
const STALE_FIXED: Record<string, string> = {
  'VIFVHostUser 1.0-1.0': '1.0',
  'VIFPortProfileOpenVSwitch 1.0-1.2': '1.2',
};

for (const c of api.get_common_version_cases) {
  const key = `${c.name} ${c.min_version}-${c.max_version}`;
  test(`common version (${c.kind}) ${key}`, (t) => {
    const info =
      c.kind === 'vif'
        ? new objects.HostVIFInfo({
            vif_object_name: c.name,
            min_version: c.min_version,
            max_version: c.max_version,
          })
        : new objects.HostPortProfileInfo({
            profile_object_name: c.name,
            min_version: c.min_version,
            max_version: c.max_version,
          });
    const fixed = STALE_FIXED[key];
    if (fixed) t.is(info.getCommonVersion(), fixed);
    else if (c.error) {
      const err = t.throws(() => info.getCommonVersion());
      t.is(pythonName(err), c.error.exception);
      t.is(err?.message, c.error.message);
    } else t.is(info.getCommonVersion(), c.result as string);
  });
}

test('negotiation succeeds for everything the in-tree plugins advertise (no stale-version failure)', (t) => {
  for (const p of allInfo.plugin_info) {
    for (const v of p.vif_info) {
      t.is(v.getCommonVersion(), '1.0');
      for (const prof of v.supported_port_profiles) t.is(prof.getCommonVersion(), '1.0');
    }
  }
});

for (const l of api.lookups) {
  test(`lookup ${l.call}`, (t) => {
    const ovs = allInfo.getPlugin('ovs');
    const calls: Record<string, () => unknown> = {
      "HostInfo.has_plugin('ovs')": () => allInfo.hasPlugin('ovs'),
      "HostInfo.has_plugin('nope')": () => allInfo.hasPlugin('nope'),
      "HostInfo.get_plugin('nope')": () => allInfo.getPlugin('nope'),
      "HostPluginInfo(ovs).has_vif('VIFBridge')": () => ovs.hasVif('VIFBridge'),
      "HostPluginInfo(ovs).has_vif('VIFDirect')": () => ovs.hasVif('VIFDirect'),
      "HostPluginInfo(ovs).get_vif('VIFDirect')": () => ovs.getVif('VIFDirect'),
    };
    const call = calls[l.call] as () => unknown;
    if (l.error) {
      const err = t.throws(call);
      t.is(pythonName(err), l.error.exception);
      // os-vif formats NoMatchingVIFClass with the wrong keyword and prints the raw template; we fill it in.
      t.is(err?.message, l.error.message.replace('%(name)s', 'VIFDirect'));
    } else t.is(call(), l.result);
  });
}

/** The object each case starts from: the one the "same version" case writes unchanged. */
function sourceOf(c: Api['target_version_cases'][number]): unknown {
  const cls = c.case.split(' ')[0] as string;
  const same = api.target_version_cases.find(
    (x) => x.case.startsWith(`${cls} `) && x.result && x.case.includes('same'),
  );
  const plain = api.target_version_cases.find((x) => x.case.startsWith(`${cls} `) && x.result);
  return (same ?? plain)?.result;
}
const profilePrimitive = sourceOf(api.target_version_cases[0] as Api['target_version_cases'][number]);

for (const c of api.target_version_cases) {
  test(`target version: ${c.case}`, (t) => {
    const obj = objects.fromPrimitive(sourceOf(c));
    if (c.error) {
      const err = t.throws(() => obj.toPrimitive(c.target_version));
      t.is(pythonName(err), c.error.exception);
      t.is(err?.message, c.error.message);
    } else t.is(canonical(obj.toPrimitive(c.target_version)), canonical(c.result));
  });
}

test('an unparseable target version is an InvalidTargetVersion', (t) => {
  const obj = objects.fromPrimitive(profilePrimitive);
  t.throws(() => obj.toPrimitive('abc'), { instanceOf: vif.InvalidTargetVersion });
});
