/**
 * `os-vif cni`: the CNI plugin (src/cni). `os-vif` run with CNI_COMMAND set and no command acts
 * as `os-vif cni`, so a link or wrapper named `os-vif` in CNI_PATH is a CNI plugin.
 */
import { cniProcess } from '../cni/process.js';
import { SUMMARIES } from './summaries.js';
import type { Command } from './usage.js';

/** `os-vif cni`. */
export const cniCommand: Command = {
  name: 'cni',
  summary: SUMMARIES['cni'],
  options: {},
  run: (_values, io) => cniProcess(io.out, io.err, io.stdin),
};
