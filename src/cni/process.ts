/**
 * The CNI plugin as a process: standard input in, the outcome on stdout/stderr, the exit code.
 * `bin/os-vif.js` comes here directly when run with CNI_COMMAND set and no arguments (what a
 * runtime does), without loading the rest of the CLI: a CNI plugin is a new process per call,
 * so its start-up is most of its cost (docs/cni.md, "Benchmark").
 */
import { runCni } from './index.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs one invocation with this process's environment and stdin; resolves to the exit code. */
export async function cniProcess(
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  stdin: () => Promise<string> = readStdin,
): Promise<number> {
  const env = process.env;
  // VERSION may come with no configuration at all: do not wait for a terminal's input
  const input = env.CNI_COMMAND === 'VERSION' && process.stdin.isTTY ? '' : await stdin();
  const outcome = await runCni(env, input);
  if (outcome.stdout !== '') out(outcome.stdout);
  if (outcome.stderr) err(outcome.stderr);
  return outcome.exit;
}
