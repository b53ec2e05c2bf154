/**
 * The one-line summary of each command, apart from the commands' code: the main help lists them
 * without importing any command (src/cli.ts loads a command's module only to run it).
 */
export const SUMMARIES = {
  plug: 'Plug a VIF (or a batch: --vifs/--instances, --stream) on this host or inside --netns, with the plugin named by vif.plugin.',
  unplug: 'Unplug a VIF (or a batch: --vifs/--instances, --stream); succeeds when nothing of it is there.',
  'host-info': 'Print the HostInfo primitive (plugins, VIF classes and port profiles this host supports).',
  config: "Print the built-in plugins' effective options (files, CONFIG.json and --set applied).",
  helper: 'Serve plug, unplug and host-info to the allowed uids on a unix socket, with CAP_NET_ADMIN only.',
  demo: 'Plug, show, ping, unplug example VIFs in a sandbox of its own namespaces and OVS daemons; cleans up.',
  cni: 'A CNI plugin (spec 1.0/1.1: ADD, DEL, CHECK, VERSION, STATUS, GC): network configuration on stdin, CNI_* in the environment (docs/cni.md).',
  bench: 'Benchmark plugging N VIFs in a sandbox: this library against shell, Python os-vif and the floor.',
} as const;

/** A command's name. */
export type CommandName = keyof typeof SUMMARIES;
