/**
 * The `os-vif` command (design.md, "The CLI contract"):
 *
 *   os-vif plug      --vif VIF.json --instance INSTANCE.json [CONFIG] [--netns NAME] [--json]
 *   os-vif unplug    --vif VIF.json --instance INSTANCE.json [CONFIG] [--netns NAME] [--json]
 *   os-vif plug|unplug --vifs VIFS.json --instances INSTANCES.json | --stream [--concurrency N] ...
 *   (many VIFs in one process, one result each; docs/batch.md)
 *   os-vif host-info [--permitted VIFBridge,VIFOpenVSwitch] [CONFIG]
 *   os-vif config    [CONFIG] [--json]
 *   os-vif helper    --socket PATH --allow-uid UID[,UID...] [--allow-gid GID,...] [CONFIG]
 *   (plug, unplug and host-info take --helper PATH to go through a running helper)
 *   os-vif demo      [--ovn]
 *   os-vif cni       (CNI_COMMAND etc. in the environment; also with no command when CNI_COMMAND is set)
 *   os-vif bench     [--n 10,100,1000] [--kinds K,...] [--methods M,...] [--serial-max N] [--out DIR] [--json]
 *   os-vif --version
 *
 * CONFIG is any of --config-file FILE (repeatable), --config CONFIG.json, --set GROUP.OPTION=VALUE
 * (repeatable), --ovsdb/--db REMOTE, --timeout SECONDS, --wait-bound SECONDS (OVN: wait for ovn-installed).
 *
 * Exit 0 on success; 2 with one line on stderr for invalid input (nothing on the host changed);
 * 1 with one line naming the VIF and the cause for a failed operation. With --json a failure is
 * also one JSON object on stdout: {"ok": false, "action", "vif", "error": {"type", "message"}, "exit"}.
 */
import { readFileSync } from 'node:fs';
import { describeFailure } from './cli/failure.js';
import { type CommandName, SUMMARIES } from './cli/summaries.js';
import { type Command, commandHelp, type Io, parseCommand, UsageError } from './cli/usage.js';

/**
 * The commands: each module is imported only when its command runs (or shows its help), so that
 * `os-vif --version`, the main help and `os-vif plug` load none of the demo, sandbox, helper
 * server, CNI or benchmark code (docs/performance.md, "Start-up").
 */
const LOADERS: Record<CommandName, () => Promise<Command>> = {
  plug: async () => (await import('./cli/plug.js')).plugCommand,
  unplug: async () => (await import('./cli/plug.js')).unplugCommand,
  'host-info': async () => (await import('./cli/host-info.js')).hostInfoCommand,
  config: async () => (await import('./cli/config.js')).configCommand,
  helper: async () => (await import('./cli/helper.js')).helperCommand,
  demo: async () => (await import('./cli/demo.js')).demoCommand,
  cni: async () => (await import('./cli/cni.js')).cniCommand,
  bench: async () => (await import('./cli/bench.js')).benchCommand,
};

/** The names of the commands, in the order of the help. */
export function commandNames(): CommandName[] {
  return Object.keys(SUMMARIES) as CommandName[];
}

/** Imports the module of command `name`. */
export function loadCommand(name: CommandName): Promise<Command> {
  return LOADERS[name]();
}

/** The package's version, from its package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function mainHelp(): string {
  return [
    'usage: os-vif <command> [options]',
    '',
    'Plug and unplug os-vif VIFs on this host through netlink and OVSDB.',
    '',
    'commands:',
    ...commandNames().map((n) => `  ${n.padEnd(10)} ${SUMMARIES[n]}`),
    '',
    "Run 'os-vif <command> --help' for a command's options; 'os-vif --version' for the version.",
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  // a runtime executes a CNI plugin with no arguments and CNI_COMMAND set
  if (name === undefined && process.env.CNI_COMMAND) return (await loadCommand('cni')).run({}, io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(version());
    return 0;
  }
  const names = commandNames();
  const known = names.find((n) => n === name);
  if (!known) {
    io.err(`os-vif: unknown command '${name}' (commands: ${names.join(', ')})`);
    return 2;
  }
  const cmd = await loadCommand(known);
  const json = rest.includes('--json');
  try {
    const values = parseCommand(cmd, rest);
    if (values === 'help') {
      io.out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(values, io);
  } catch (error) {
    const failure = describeFailure(error);
    const exit = failure.invalidInput ? 2 : 1;
    io.err(`os-vif ${cmd.name}: ${failure.line}`);
    if (json) {
      const { type, message, vifId } = failure;
      io.out(
        JSON.stringify({ ok: false, action: cmd.name, vif: vifId ?? null, error: { type, message }, exit }),
      );
    }
    return exit;
  }
}

/** stdout/stderr of this process. */
export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    errWrite: (text) => process.stderr.write(text),
    tty: Boolean(process.stderr.isTTY),
  };
}

/** Runs `main` on `process.argv` and exits with its code. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}

export { UsageError };
