/**
 * The `os-vif` command (design.md, "The CLI contract"):
 *
 *   os-vif plug      --vif VIF.json --instance INSTANCE.json [--config CONFIG.json] [--netns NAME]
 *   os-vif unplug    --vif VIF.json --instance INSTANCE.json [--config CONFIG.json] [--netns NAME]
 *   os-vif host-info [--permitted VIFBridge,VIFOpenVSwitch] [--config CONFIG.json]
 *   os-vif demo
 *   os-vif bench     [--n 200] [--json]
 *
 * Exit 0 on success; 2 with one line on stderr for invalid input (nothing on the host changed);
 * 1 with one line naming the VIF and the cause for a failed operation.
 */
import { benchCommand } from './cli/bench.js';
import { demoCommand } from './cli/demo.js';
import { describeFailure } from './cli/failure.js';
import { hostInfoCommand } from './cli/host-info.js';
import { plugCommand, unplugCommand } from './cli/plug.js';
import { type Command, commandHelp, type Io, parseCommand, UsageError } from './cli/usage.js';

const COMMANDS: Command[] = [plugCommand, unplugCommand, hostInfoCommand, demoCommand, benchCommand];

function mainHelp(): string {
  return [
    'usage: os-vif <command> [options]',
    '',
    'Plug and unplug os-vif VIFs on this host through netlink and OVSDB.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    "Run 'os-vif <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`os-vif: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return 2;
  }
  try {
    const values = parseCommand(cmd, rest);
    if (values === 'help') {
      io.out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(values, io);
  } catch (error) {
    const failure = describeFailure(error);
    io.err(`os-vif ${cmd.name}: ${failure.line}`);
    return failure.invalidInput ? 2 : 1;
  }
}

/** stdout/stderr of this process. */
export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    tty: Boolean(process.stderr.isTTY),
  };
}

/** Runs `main` on `process.argv` and exits with its code. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}

export { UsageError };
