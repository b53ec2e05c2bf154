/**
 * Argument parsing for the `os-vif` command with Node's `util.parseArgs`, and the two outcomes
 * the CLI contract names: {@link UsageError} (exit 2: invalid input, the host untouched) and any
 * other error (exit 1: an operation failed).
 */
import { parseArgs } from 'node:util';

/** Invalid input; the command exits 2 and the host is unchanged. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** One option of a command. */
export interface OptionDef {
  type: 'string' | 'boolean';
  help: string;
  /** Shown in help as `--name VALUE`. */
  value?: string;
  required?: boolean;
  /** May be given more than once (the value is then a list). */
  multiple?: boolean;
}

/** Parsed option values by name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A subcommand. */
export interface Command {
  name: string;
  summary: string;
  options: Record<string, OptionDef>;
  /** Runs the command; resolves to the exit code. */
  run(values: OptionValues, io: Io): Promise<number>;
}

/** Where the command writes. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal (progress bars). */
  tty: boolean;
  /** Reads all of standard input (a file argument `-`); default: the process's. */
  stdin?: () => Promise<string>;
  /** Standard input as it arrives (`--stream`); default: the process's. */
  stdinChunks?: () => AsyncIterable<Buffer | string>;
  /** Writes to stderr as is, no newline added (progress bars); none: no progress bar. */
  errWrite?: (text: string) => void;
}

/** `--help` text of a command. */
export function commandHelp(cmd: Command): string {
  const lines = [`usage: os-vif ${cmd.name}${usageLine(cmd)}`, '', cmd.summary, '', 'options:'];
  for (const [name, def] of Object.entries(cmd.options)) {
    const flag = `--${name}${def.value ? ` ${def.value}` : ''}`;
    lines.push(`  ${flag.padEnd(30)} ${def.help}${def.required ? ' (required)' : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(30)} show this help`);
  return lines.join('\n');
}

function usageLine(cmd: Command): string {
  return Object.entries(cmd.options)
    .map(([name, def]) => {
      const flag = `--${name}${def.value ? ` ${def.value}` : ''}`;
      return def.required ? ` ${flag}` : ` [${flag}]${def.multiple ? '...' : ''}`;
    })
    .join('');
}

/** Parses a command's arguments; throws UsageError for anything unexpected or missing. */
export function parseCommand(cmd: Command, args: string[]): OptionValues | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: {
        ...Object.fromEntries(
          Object.entries(cmd.options).map(([n, d]) => [n, { type: d.type, multiple: d.multiple ?? false }]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}`);
  }
  const values = parsed.values as OptionValues;
  if (values.help) return 'help';
  for (const [name, def] of Object.entries(cmd.options)) {
    if (def.required && values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  return values;
}
