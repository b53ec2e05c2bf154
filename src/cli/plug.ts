/**
 * `os-vif plug` and `os-vif unplug`: load the VIF and InstanceInfo primitives, load the
 * configuration, run the operation through the library (inside `--netns` when given), and
 * report one line (one JSON object with `--json`). Everything that can be checked is checked
 * before the host is touched.
 */
import { CONFIG_OPTIONS, loadConfig } from './config-args.js';
import { VifOperationFailed } from './failure.js';
import { InputFiles } from './input.js';
import { HELPER_OPTION, LOG_OPTION, openRuntime } from './runtime.js';
import type { Command, Io } from './usage.js';

function makeCommand(action: 'plug' | 'unplug'): Command {
  return {
    name: action,
    summary:
      action === 'plug'
        ? 'Plug a VIF on this host (or inside --netns) with the plugin named by vif.plugin.'
        : 'Unplug a VIF; succeeds when nothing of it is there.',
    options: {
      vif: {
        type: 'string',
        value: 'VIF.json',
        help: 'VIF primitive as os-vif obj_to_primitive() writes it (- for stdin)',
        required: true,
      },
      instance: {
        type: 'string',
        value: 'INSTANCE.json',
        help: 'InstanceInfo primitive (- for stdin)',
        required: true,
      },
      ...CONFIG_OPTIONS,
      netns: { type: 'string', value: 'NAME', help: 'run the whole operation inside this network namespace' },
      json: { type: 'boolean', help: 'print the result, or the failure, as one JSON line on stdout' },
      ...HELPER_OPTION,
      ...LOG_OPTION,
    },
    async run(values, io: Io) {
      const input = new InputFiles(io);
      const vifPrimitive = await input.json(values.vif as string, 'VIF');
      const instancePrimitive = await input.json(values.instance as string, 'instance');
      const config = await loadConfig(values, input);
      const runtime = await openRuntime({
        config,
        netns: values.netns as string | undefined,
        helper: values.helper as string | undefined,
        values,
        io,
      });
      try {
        const vif = runtime.loadVif(vifPrimitive);
        const instance = runtime.loadInstance(instancePrimitive);
        const started = performance.now();
        try {
          await runtime[action](vif, instance);
        } catch (error) {
          throw new VifOperationFailed(vif.id, error);
        }
        const ms = performance.now() - started;
        const id = vif.id;
        if (values.json)
          io.out(
            JSON.stringify({ ok: true, action, vif: id, plugin: vif.plugin, ms: Number(ms.toFixed(2)) }),
          );
        else
          io.out(
            `${action === 'plug' ? 'plugged' : 'unplugged'} VIF ${id} (${vif.plugin}) in ${ms.toFixed(1)} ms`,
          );
        return 0;
      } finally {
        await runtime.close();
      }
    },
  };
}

/** `os-vif plug`. */
export const plugCommand = makeCommand('plug');
/** `os-vif unplug`. */
export const unplugCommand = makeCommand('unplug');
