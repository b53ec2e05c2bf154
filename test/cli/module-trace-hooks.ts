/**
 * Loader hooks of module-trace.ts: record each loaded module's URL, synchronously, so that a
 * process that exits at once still leaves the complete list.
 */
import { appendFileSync } from 'node:fs';

let file = '';

/** Receives the trace file from `register`. */
export function initialize(data: { file: string }): void {
  file = data.file;
}

/** Records `url`, then loads it as usual. */
export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context: unknown) => Promise<unknown>,
): Promise<unknown> {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
