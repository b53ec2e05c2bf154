/**
 * `os-vif plug` and `os-vif unplug`: load the VIF and InstanceInfo primitives, load the
 * configuration, run the operation through the library (inside `--netns` when given), and
 * report one line (one JSON object with `--json`). Everything that can be checked is checked
 * before the host is touched. With `--vifs`/`--instances` or `--stream`, many VIFs in one
 * process (batch.ts).
 */
import { DEFAULT_BATCH_CONCURRENCY, HELPER_BATCH_CONCURRENCY } from '../vif/index.js';
import { batchDisplay, runFileBatch, runStreamBatch } from './batch.js';
import { readBatchFiles } from './batch-input.js';
import { CONFIG_OPTIONS, loadConfig } from './config-args.js';
import { VifOperationFailed } from './failure.js';
import { InputFiles } from './input.js';
import { HELPER_OPTION, LOG_OPTION, openRuntime, type Runtime } from './runtime.js';
import { SUMMARIES } from './summaries.js';
import { type Command, type Io, type OptionValues, UsageError } from './usage.js';

type Action = 'plug' | 'unplug';

function makeCommand(action: Action): Command {
  return {
    name: action,
    summary: SUMMARIES[action],
    options: {
      vif: {
        type: 'string',
        value: 'VIF.json',
        help: 'VIF primitive as os-vif obj_to_primitive() writes it (- for stdin); required for one VIF',
      },
      instance: {
        type: 'string',
        value: 'INSTANCE.json',
        help: 'InstanceInfo primitive (- for stdin); required for one VIF',
      },
      vifs: {
        type: 'string',
        value: 'VIFS.json',
        help: 'batch: a JSON array of VIF primitives (- for stdin), with --instances',
      },
      instances: {
        type: 'string',
        value: 'INSTANCES.json',
        help: 'batch: a JSON array of InstanceInfo primitives, one per VIF of --vifs',
      },
      stream: {
        type: 'boolean',
        help: 'batch: one {"vif": …, "instance": …} per line on stdin, one JSON result per VIF on stdout as each completes',
      },
      concurrency: {
        type: 'string',
        value: 'N',
        help: `batch: VIFs in flight at once (default ${DEFAULT_BATCH_CONCURRENCY}; ${HELPER_BATCH_CONCURRENCY} with --helper)`,
      },
      ...CONFIG_OPTIONS,
      netns: { type: 'string', value: 'NAME', help: 'run the whole operation inside this network namespace' },
      json: {
        type: 'boolean',
        help: 'print the result, or the failure, as one JSON line on stdout (per VIF)',
      },
      ...HELPER_OPTION,
      ...LOG_OPTION,
    },
    async run(values, io: Io) {
      const mode = modeOf(values);
      const concurrency = concurrencyOf(values.concurrency, mode);
      const input = new InputFiles(io);
      if (mode === 'stream') input.reserveStdin('--stream input');
      const single =
        mode === 'single'
          ? {
              vif: await input.json(values.vif as string, 'VIF'),
              instance: await input.json(values.instance as string, 'instance'),
            }
          : undefined;
      const files =
        mode === 'files'
          ? await readBatchFiles(values.vifs as string, values.instances as string, input)
          : undefined;
      const config = await loadConfig(values, input);
      // a batch's output goes around its progress bar, the logs of the library included
      const display = single ? { io, bar: undefined } : batchDisplay(io, action);
      try {
        const runtime = await openRuntime({
          config,
          netns: values.netns as string | undefined,
          helper: values.helper as string | undefined,
          values,
          io: display.io,
        });
        try {
          if (single) return await runOne(action, runtime, single, values, io);
          const ctx = {
            action,
            runtime,
            io: display.io,
            bar: display.bar,
            json: values.json === true,
            concurrency,
          };
          return files ? await runFileBatch(ctx, files) : await runStreamBatch(ctx);
        } finally {
          await runtime.close();
        }
      } finally {
        display.bar?.stop();
      }
    },
  };
}

type Mode = 'single' | 'files' | 'stream';

/** Which form of the command the options ask for; mixing two is a usage error. */
function modeOf(values: OptionValues): Mode {
  const given = (name: string) => values[name] !== undefined && values[name] !== false;
  const forms = [
    given('vif') || given('instance') ? 'single' : undefined,
    given('vifs') || given('instances') ? 'files' : undefined,
    given('stream') ? 'stream' : undefined,
  ].filter((f): f is Mode => f !== undefined);
  if (forms.length > 1)
    throw new UsageError('give one of --vif/--instance, --vifs/--instances, --stream (not several)');
  const mode = forms[0] ?? 'single';
  if (mode === 'single') {
    if (!given('vif')) throw new UsageError('--vif is required (or --vifs/--instances, or --stream)');
    if (!given('instance')) throw new UsageError('--instance is required');
  }
  if (mode === 'files') {
    if (!given('vifs')) throw new UsageError('--vifs is required with --instances');
    if (!given('instances')) throw new UsageError('--instances is required with --vifs');
  }
  return mode;
}

function concurrencyOf(value: OptionValues[string], mode: Mode): number | undefined {
  if (value === undefined) return undefined;
  if (mode === 'single')
    throw new UsageError('--concurrency is for a batch (--vifs/--instances or --stream)');
  const n = typeof value === 'string' && /^[0-9]{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1))
    throw new UsageError(`--concurrency must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

async function runOne(
  action: Action,
  runtime: Runtime,
  primitives: { vif: unknown; instance: unknown },
  values: OptionValues,
  io: Io,
): Promise<number> {
  const vif = runtime.loadVif(primitives.vif);
  const instance = runtime.loadInstance(primitives.instance);
  const started = performance.now();
  try {
    await runtime[action](vif, instance);
  } catch (error) {
    throw new VifOperationFailed(vif.id, error);
  }
  const ms = performance.now() - started;
  const id = vif.id;
  if (values.json)
    io.out(JSON.stringify({ ok: true, action, vif: id, plugin: vif.plugin, ms: Number(ms.toFixed(2)) }));
  else
    io.out(`${action === 'plug' ? 'plugged' : 'unplugged'} VIF ${id} (${vif.plugin}) in ${ms.toFixed(1)} ms`);
  return 0;
}

/** `os-vif plug`. */
export const plugCommand = makeCommand('plug');
/** `os-vif unplug`. */
export const unplugCommand = makeCommand('unplug');
