/**
 * `os-vif bench`: the scale benchmark (src/bench). In a repository build it loads the baselines
 * (`dist/bench/baselines.js`: one process per step, Python os-vif, the floors) and runs exactly
 * what `npm run bench` runs; the package ships without them, so there it measures this
 * library's methods and marks the baselines unavailable.
 */
import { existsSync } from 'node:fs';
import { BenchOptionError, benchMain, MAX_N, methodIds, parseBenchArgs } from '../bench/index.js';
import type { Method } from '../bench/types.js';
import { SUMMARIES } from './summaries.js';
import { type Command, UsageError } from './usage.js';

const BASELINES = new URL('../../bench/baselines.js', import.meta.url);

async function loadBaselines(): Promise<readonly Method[]> {
  if (!existsSync(BASELINES)) return [];
  const mod = (await import(BASELINES.href)) as { BASELINE_METHODS?: readonly Method[] };
  return mod.BASELINE_METHODS ?? [];
}

/** `os-vif bench`. */
export const benchCommand: Command = {
  name: 'bench',
  summary: SUMMARIES.bench,
  options: {
    n: { type: 'string', value: 'N[,N...]', help: `VIFs per run, 1 to ${MAX_N} (default 10,100,1000)` },
    kinds: { type: 'string', value: 'KIND[,KIND...]', help: 'plain, hybrid, linux_bridge (default all)' },
    methods: { type: 'string', value: 'ID[,ID...]', help: `${methodIds().join(', ')} (default all)` },
    'serial-max': {
      type: 'string',
      value: 'N',
      help: 'run the one-at-a-time methods (shell, python, lib-serial) only up to this N',
    },
    out: { type: 'string', value: 'DIR', help: 'also write the results as JSON, Markdown and SVG into DIR' },
    json: { type: 'boolean', help: 'print the report as JSON (alone on stdout; progress goes to stderr)' },
  },
  async run(values, io) {
    let args: ReturnType<typeof parseBenchArgs>;
    try {
      args = parseBenchArgs(values as Parameters<typeof parseBenchArgs>[0]);
    } catch (error) {
      if (error instanceof BenchOptionError) throw new UsageError(error.message);
      throw error;
    }
    if (process.getuid?.() !== 0) throw new UsageError('run as root (it creates network namespaces)');
    const { ok } = await benchMain(args, { out: io.out, err: io.err }, await loadBaselines());
    return ok ? 0 : 1;
  },
};
