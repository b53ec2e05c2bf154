/**
 * The plugins through the library's facade, as agents call them: built-in registration,
 * `describe()` answers, and a plugin error wrapped in PlugException with Python os-vif's message.
 */
import test from 'ava';
import { OvsPlugin } from '../../src/plugins/index.js';
import * as osvif from '../../src/vif/index.js';
import { readVector } from '../vif/vectors.js';
import { RecordingLinks, RecordingSwitch } from './recording-host.js';
import type { TraceScenario } from './trace-facts.js';

const ovsTraces: TraceScenario[] = readVector('plugin_traces/ovs.json');

class RecordedOvs extends OvsPlugin {
  static override load(context: osvif.PluginContext): osvif.PluginBase {
    return OvsPlugin.load({
      ...context,
      hosts: { links: async () => new RecordingLinks(), switch: async () => new RecordingSwitch() },
    });
  }
}

test.serial('importing os-vif/plugins registers linux_bridge, noop and ovs as built-ins', async (t) => {
  await osvif.reset();
  await osvif.initialize({ discover: false });
  t.deepEqual(osvif.loadedPlugins(), ['linux_bridge', 'noop', 'ovs']);
  await osvif.reset();
});

test.serial(
  'a WrongPortProfile through plug() is a PlugException with os-vif 3.0.0 message, cause kept',
  async (t) => {
    const s = ovsTraces.find((x) => x.description.startsWith('same through os_vif.plug()'));
    if (!s) return t.fail('scenario missing');
    await osvif.reset();
    await osvif.initialize({ discover: false, builtins: false, plugins: { ovs: RecordedOvs } });
    t.teardown(() => osvif.reset());
    const vif = osvif.objects.fromPrimitive(s.vif, osvif.objects.VIFBase);
    const instance = osvif.objects.fromPrimitive(s.instance_info, osvif.objects.InstanceInfo);
    const error = await t.throwsAsync(osvif.plug(vif, instance));
    t.true(error instanceof osvif.PlugException);
    t.is(error?.message, s.error?.message ?? 'missing');
    t.is((error?.cause as Error | undefined)?.name, 'WrongPortProfile');
  },
);
