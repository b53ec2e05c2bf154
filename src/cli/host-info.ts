/** `os-vif host-info`: the HostInfo primitive of the loaded plugins, optionally filtered. */
import { CONFIG_OPTIONS, loadConfig } from './config-args.js';
import { InputFiles } from './input.js';
import { HELPER_OPTION, LOG_OPTION, openRuntime } from './runtime.js';
import { SUMMARIES } from './summaries.js';
import { type Command, UsageError } from './usage.js';

/** `os-vif host-info`. */
export const hostInfoCommand: Command = {
  name: 'host-info',
  summary: SUMMARIES['host-info'],
  options: {
    permitted: { type: 'string', value: 'A,B', help: 'keep only these VIF classes (comma-separated)' },
    ...CONFIG_OPTIONS,
    json: { type: 'boolean', help: 'compact JSON on one line (default: indented)' },
    ...HELPER_OPTION,
    ...LOG_OPTION,
  },
  async run(values, io) {
    const permitted =
      typeof values.permitted === 'string' ? values.permitted.split(',').map((s) => s.trim()) : undefined;
    if (permitted?.some((name) => !/^[A-Za-z][A-Za-z0-9]*$/.test(name))) {
      throw new UsageError(
        `--permitted takes class names separated by commas, got ${JSON.stringify(values.permitted)}`,
      );
    }
    const config = await loadConfig(values, new InputFiles(io));
    const runtime = await openRuntime({ config, values, io, helper: values.helper as string | undefined });
    try {
      const info = runtime.hostInfo(permitted);
      io.out(values.json ? JSON.stringify(info) : JSON.stringify(info, null, 2));
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
