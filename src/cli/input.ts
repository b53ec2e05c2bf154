/**
 * Reading the CLI's input files: VIF and InstanceInfo primitives (exactly as Python os-vif's
 * `obj_to_primitive()` writes them) and CONFIG.json. A file argument `-` is standard input (one
 * such argument per command). Every problem is a {@link UsageError} naming the file, raised
 * before anything on the host changes.
 */
import { readFile } from 'node:fs/promises';
import { type Io, UsageError } from './usage.js';

/** Reads the files of one command; standard input at most once. */
export class InputFiles {
  private stdinTakenBy?: string;

  constructor(private readonly io: Io) {}

  /** Standard input is `what` (`--stream`): a file argument `-` is then refused. */
  reserveStdin(what: string): void {
    this.stdinTakenBy = what;
  }

  /** The text of `path` (`-`: standard input), UsageError naming `what` on failure. */
  async text(path: string, what: string): Promise<string> {
    if (path === '-') {
      if (this.stdinTakenBy !== undefined)
        throw new UsageError(`${what} file: standard input (-) is already the ${this.stdinTakenBy} file`);
      this.stdinTakenBy = what;
      return (this.io.stdin ?? readProcessStdin)();
    }
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }

  /** Reads and parses a JSON file. */
  async json(path: string, what: string): Promise<unknown> {
    const text = await this.text(path, what);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `${what} file ${path === '-' ? '(stdin)' : path} is not JSON: ${(error as Error).message}`,
      );
    }
  }
}

/** All of the process's standard input. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
