/**
 * `npm run bench` (= `node dist/bench/plug.js`): the scale benchmark of src/bench with the
 * baselines of bench/baselines.ts, the same code `os-vif bench` runs in a repository build.
 * Results go to bench/results/ unless `--out` says otherwise.
 *
 *   npm run bench                                     # N = 10, 100, 1000, every kind and method
 *   npm run bench -- --n 10                           # a quick run (under a minute)
 *   npm run bench -- --n 100 --kinds hybrid --methods floor,lib-inflight --json
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchOptionError, benchMain, parseBenchArgs } from '../src/bench/index.js';
import { BASELINE_METHODS } from './baselines.js';

const RESULTS = fileURLToPath(new URL('../../bench/results', import.meta.url));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      kinds: { type: 'string' },
      methods: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'serial-max': { type: 'string' },
    },
  });
  let args: ReturnType<typeof parseBenchArgs>;
  try {
    args = parseBenchArgs({ ...values, out: values.out ?? RESULTS });
  } catch (error) {
    if (!(error instanceof BenchOptionError)) throw error;
    console.error(`bench: ${error.message}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('bench: run as root (it creates network namespaces)');
    return 2;
  }
  const { ok } = await benchMain(
    args,
    { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    BASELINE_METHODS,
  );
  return ok ? 0 : 1;
}

process.exitCode = await main();
