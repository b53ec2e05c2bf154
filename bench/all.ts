/**
 * Every benchmark, one after the other, each in its own process: `npm run bench`.
 * Arguments are passed to each (e.g. `--json`). Each benchmark builds and removes its own
 * sandbox; a failing one is reported and the rest still run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['objects', 'netlink', 'ovsdb', 'plug'];
let failed = 0;
for (const name of benches) {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  console.log(`\n=== bench/${name} ===`);
  const run = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`bench/${name} failed (exit ${run.status ?? run.signal})`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
