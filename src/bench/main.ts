/**
 * One benchmark run as both commands do it: run the chosen methods, print the tables (or the
 * report as JSON, alone on stdout), write JSON, Markdown and SVG into `--out` when given.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { allMethods } from './methods.js';
import type { BenchArgs } from './options.js';
import { runScaleBench } from './runner.js';
import { renderSvg } from './svg.js';
import { renderTables } from './table.js';
import { type BenchReport, KINDS, type Method } from './types.js';

/** Where the output goes. */
export interface BenchIo {
  /** A line of the result (stdout). */
  out(line: string): void;
  /** Progress (stderr). */
  err(line: string): void;
}

/** The file name stem for a run's results: `scale-n10_100_1000` (+ kinds / methods when a subset). */
export function resultStem(args: BenchArgs, all: readonly Method[]): string {
  const kinds = args.kinds.length < KINDS.length ? `-${args.kinds.join('_')}` : '';
  const methods = args.methods.length < all.length ? `-${args.methods.join('_')}` : '';
  return `scale-n${args.sizes.join('_')}${kinds}${methods}`;
}

/** Runs the benchmark; resolves to the report and the files written. */
export async function benchMain(
  args: BenchArgs,
  io: BenchIo,
  baselines: readonly Method[] = [],
): Promise<{ report: BenchReport; files: string[]; ok: boolean }> {
  const all = allMethods(baselines);
  const methods = all.filter((m) => args.methods.includes(m.id));
  const stem = args.out === undefined ? undefined : path.join(args.out, resultStem(args, all));
  const files = stem === undefined ? [] : [`${stem}.json`, `${stem}.md`, `${stem}.svg`];
  const write = async (report: BenchReport) => {
    if (stem === undefined) return;
    await mkdir(path.dirname(stem), { recursive: true });
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${stem}.md`, `${renderTables(report).join('\n')}\n`);
    await writeFile(`${stem}.svg`, renderSvg(report));
  };
  const report = await runScaleBench({
    sizes: args.sizes,
    kinds: args.kinds,
    methods,
    serialMax: args.serialMax,
    progress: io.err,
    onSample: write, // a long run that is stopped still leaves what it measured
  });
  await write(report);
  const tables = renderTables(report);
  if (args.json) io.out(JSON.stringify(report));
  else for (const line of tables) io.out(line);
  for (const f of files) io.err(`wrote ${f}`);
  return { report, files, ok: report.samples.every((s) => s.status !== 'failed') };
}
