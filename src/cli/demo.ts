/** `os-vif demo`: the sandboxed guided run (src/demo). */
import { runDemo } from '../demo/run.js';
import { type Command, UsageError } from './usage.js';

/** `os-vif demo`. */
export const demoCommand: Command = {
  name: 'demo',
  summary:
    'Plug, show, ping, unplug example VIFs in a sandbox of its own namespaces and OVS daemons; cleans up.',
  options: {},
  async run(_values, io) {
    if (process.getuid?.() !== 0) throw new UsageError('run as root (it creates network namespaces)');
    return runDemo(io);
  },
};
