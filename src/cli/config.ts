/**
 * `os-vif config`: the effective options of the built-in plugins after the configuration files,
 * CONFIG.json and `--set` are applied, as Python os-vif would hold them. With `--json` one object
 * `{"os_vif_linux_bridge": {…}, "os_vif_ovs": {…}}`; without, the same as an oslo.config file.
 */
import { CONFIG_OPTIONS, effectiveOptions, loadConfig } from './config-args.js';
import { InputFiles } from './input.js';
import { SUMMARIES } from './summaries.js';
import type { Command } from './usage.js';

/** `os-vif config`. */
export const configCommand: Command = {
  name: 'config',
  summary: SUMMARIES['config'],
  options: {
    ...CONFIG_OPTIONS,
    json: { type: 'boolean', help: 'one JSON object of option groups (default: an oslo.config file)' },
  },
  async run(values, io) {
    const options = effectiveOptions(await loadConfig(values, new InputFiles(io)));
    if (values.json) {
      io.out(JSON.stringify(options));
      return 0;
    }
    const lines: string[] = [];
    for (const [group, opts] of Object.entries(options)) {
      if (lines.length > 0) lines.push('');
      lines.push(`[${group}]`);
      for (const [name, value] of Object.entries(opts)) {
        if (value === null) lines.push(`#${name} = <None>`);
        else if (Array.isArray(value)) for (const item of value) lines.push(`${name} = ${item}`);
        else lines.push(`${name} = ${String(value).replaceAll('\n', '\n    ')}`);
      }
    }
    io.out(lines.join('\n'));
    return 0;
  },
};
