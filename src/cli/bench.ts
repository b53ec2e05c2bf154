/** `os-vif bench`: plugs and unplugs N VIFs in a sandbox with each method and prints the rates. */
import { runBench } from '../demo/bench.js';
import { type Command, UsageError } from './usage.js';

/** `os-vif bench`. */
export const benchCommand: Command = {
  name: 'bench',
  summary:
    'Benchmark plug/unplug of N hybrid VIFs in a sandbox (shell-based way, this library, Python os-vif).',
  options: {
    n: { type: 'string', value: 'N', help: 'VIFs per method (default 200)' },
    json: { type: 'boolean', help: 'print the results as JSON' },
  },
  async run(values, io) {
    const n = values.n === undefined ? 200 : Number(values.n);
    if (!Number.isInteger(n) || n < 1 || n > 5000)
      throw new UsageError(`--n must be an integer from 1 to 5000, got ${values.n}`);
    if (process.getuid?.() !== 0) throw new UsageError('run as root (it creates network namespaces)');
    const results = await runBench({
      n,
      progress: io.tty ? (line) => process.stderr.write(line) : undefined,
    });
    if (values.json) io.out(JSON.stringify(results));
    else for (const line of results.table) io.out(line);
    return results.ok ? 0 : 1;
  },
};
