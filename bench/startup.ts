/**
 * Start-up benchmark of the `os-vif` command: the median wall time of RUNS (default 20) runs of
 * each short invocation, each a new process (`spawnSync`), next to `node -e 0`, with the number
 * of ES modules of this package each one loads (through test/cli/module-trace.ts). None of them
 * touches the host: `plug --vifs` stops at its missing input file (exit 2).
 *
 *   node dist/bench/startup.js [--runs 20] [--json]      (npm run bench:startup)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BIN = fileURLToPath(new URL('../../bin/os-vif.js', import.meta.url));
const TRACE = fileURLToPath(new URL('../test/cli/module-trace.js', import.meta.url));

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

const CASES: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'os-vif --version', args: [BIN, '--version'] },
  { name: 'CNI_COMMAND=VERSION os-vif', args: [BIN], env: { CNI_COMMAND: 'VERSION' } },
  { name: 'os-vif plug --help', args: [BIN, 'plug', '--help'] },
  {
    name: 'os-vif plug --vifs (missing file)',
    args: [BIN, 'plug', '--vifs', '/nonexistent/vifs.json', '--instances', '/nonexistent/i.json'],
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function modules(c: Case, dir: string): number {
  const file = join(dir, `${CASES.indexOf(c)}.trace`);
  spawnSync(process.execPath, ['--import', TRACE, ...c.args], {
    env: { ...process.env, ...c.env, OS_VIF_MODULE_TRACE: file },
    input: '',
  });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0; // node -e 0 loads no module of the package
  }
  return text.split('\n').filter((u) => u.includes('/dist/src/')).length;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, json: { type: 'boolean' } } });
  const runs = Number(values.runs ?? 20);
  const dir = mkdtempSync(join(tmpdir(), `os-vif-startup-${process.pid}-`));
  try {
    const rows = CASES.map((c) => {
      const env = { ...process.env, ...c.env };
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        spawnSync(process.execPath, c.args, { env, input: '' });
        times.push(performance.now() - t);
      }
      return {
        name: c.name,
        medianMs: Number(median(times).toFixed(1)),
        minMs: Number(Math.min(...times).toFixed(1)),
        modules: modules(c, dir),
      };
    });
    if (values.json) console.log(JSON.stringify({ node: process.version, runs, rows }));
    else {
      console.log(`node ${process.version}, ${runs} runs each`);
      for (const r of rows)
        console.log(
          `${r.name.padEnd(36)} median ${r.medianMs.toFixed(1).padStart(7)} ms  min ${r.minMs.toFixed(1).padStart(7)} ms  ${r.modules} modules`,
        );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
