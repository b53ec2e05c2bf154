/**
 * Batch input for the CLI tests that need no root: VIFVHostUser VIFs of the built-in `noop`
 * plugin (nothing happens on the host), as primitives, files and NDJSON lines, and an in-process
 * run of the command with its output captured.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/usage.js';
import { main } from '../../src/cli.js';
import { objects } from '../../src/vif/index.js';
import { INSTANCE } from './fixtures.js';

/** The launcher. */
export const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));

/** VIF n's id. */
export const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A `noop` VIF primitive (`plugin` overrides the plugin name). */
export function noopVif(n: number, plugin = 'noop'): Record<string, unknown> {
  return new objects.VIFVHostUser({
    id: idOf(n),
    address: 'fa:16:3e:00:00:01',
    plugin,
    path: `/tmp/vhu${n}`,
    mode: 'client',
    vif_name: `vhu${n}`,
  }).toPrimitive() as unknown as Record<string, unknown>;
}

/** The instance primitive. */
export const instance = INSTANCE.toPrimitive();

/** One `--stream` line for VIF n. */
export const streamLine = (n: number, plugin = 'noop') =>
  JSON.stringify({ vif: noopVif(n, plugin), instance });

/** Writes `content` (JSON unless a string) to `dir/name`; its path. */
export function writeIn(dir: string, name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

/** What one in-process run printed. */
export interface Run {
  code: number;
  out: string[];
  err: string[];
  /** Raw stderr writes (the progress bar). */
  raw: string[];
}

/** Runs the command in this process; `io` overrides parts of the captured Io. */
export async function run(argv: string[], io: Partial<Io> = {}): Promise<Run> {
  const r: Run = { code: -1, out: [], err: [], raw: [] };
  r.code = await main(argv, {
    out: (l) => r.out.push(l),
    err: (l) => r.err.push(l),
    errWrite: (text) => r.raw.push(text),
    tty: false,
    ...io,
  });
  return r;
}

/** The JSON objects of the output lines. */
export const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
