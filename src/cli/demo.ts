/** `os-vif demo`: the sandboxed guided run (src/demo); `--ovn` runs the two-chassis OVN one. */
import { runOvnDemo } from '../demo/ovn.js';
import { runDemo } from '../demo/run.js';
import { SUMMARIES } from './summaries.js';
import { type Command, UsageError } from './usage.js';

/** `os-vif demo`. */
export const demoCommand: Command = {
  name: 'demo',
  summary: SUMMARIES['demo'],
  options: {
    ovn: {
      type: 'boolean',
      help: 'a private two-chassis OVN instead: guests on both chassis plugged with the wait for ovn-installed, ping and TCP across chassis, unplug',
    },
  },
  async run(values, io) {
    if (process.getuid?.() !== 0) throw new UsageError('run as root (it creates network namespaces)');
    return values.ovn ? runOvnDemo(io) : runDemo(io);
  },
};
