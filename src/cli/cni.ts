/**
 * `os-vif cni`: the CNI plugin (src/cni). `os-vif` run with CNI_COMMAND set and no command acts
 * as `os-vif cni`, so a link or wrapper named `os-vif` in CNI_PATH is a CNI plugin.
 */
import { runCni } from '../cni/index.js';
import { readProcessStdin } from './input.js';
import type { Command } from './usage.js';

/** `os-vif cni`. */
export const cniCommand: Command = {
  name: 'cni',
  summary:
    'A CNI plugin (spec 1.0/1.1: ADD, DEL, CHECK, VERSION, STATUS, GC): network configuration on stdin, CNI_* in the environment (docs/cni.md).',
  options: {},
  async run(_values, io) {
    const env = process.env;
    // VERSION may come with no configuration at all; reading stdin then must not wait forever
    const stdin =
      env.CNI_COMMAND === 'VERSION' && process.stdin.isTTY ? '' : await (io.stdin ?? readProcessStdin)();
    const outcome = await runCni(env, stdin);
    if (outcome.stdout !== '') io.out(outcome.stdout);
    if (outcome.stderr) io.err(outcome.stderr);
    return outcome.exit;
  },
};
