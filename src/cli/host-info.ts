/** `os-vif host-info`: the HostInfo primitive of the loaded plugins, optionally filtered. */
import { readConfig } from './input.js';
import { openRuntime } from './runtime.js';
import { type Command, UsageError } from './usage.js';

/** `os-vif host-info`. */
export const hostInfoCommand: Command = {
  name: 'host-info',
  summary: 'Print the HostInfo primitive (plugins, VIF classes and port profiles this host supports).',
  options: {
    permitted: { type: 'string', value: 'A,B', help: 'keep only these VIF classes (comma-separated)' },
    config: { type: 'string', value: 'CONFIG.json', help: 'option groups by os-vif name' },
    json: { type: 'boolean', help: 'compact JSON on one line (default: indented)' },
  },
  async run(values, io) {
    const permitted =
      typeof values.permitted === 'string' ? values.permitted.split(',').map((s) => s.trim()) : undefined;
    if (permitted?.some((name) => !/^[A-Za-z][A-Za-z0-9]*$/.test(name))) {
      throw new UsageError(
        `--permitted takes class names separated by commas, got ${JSON.stringify(values.permitted)}`,
      );
    }
    const runtime = await openRuntime({ config: await readConfig(values.config as string | undefined) });
    try {
      const info = runtime.hostInfo(permitted);
      io.out(values.json ? JSON.stringify(info) : JSON.stringify(info, null, 2));
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
