/**
 * What the `os-vif` command loads at start-up (docs/performance.md, "Start-up"): each run goes
 * through module-trace.ts, which lists every ES module the process loads; the assertions are on
 * that list (which modules, how many), not on time. None of these runs touches the host.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SUMMARIES } from '../../src/cli/summaries.js';
import { commandNames, loadCommand } from '../../src/cli.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const TRACE = fileURLToPath(new URL('./module-trace.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), `ovtstartup${process.pid}`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs the command; its exit status, stdout and the package's modules it loaded (under dist/src). */
function traced(args: string[], env: Record<string, string> = {}) {
  const file = path.join(dir, `${runs++}.trace`);
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env, OS_VIF_MODULE_TRACE: file },
    input: '',
    encoding: 'utf8',
  });
  const modules = readFileSync(file, 'utf8')
    .split('\n')
    .filter((u) => u.includes('/dist/src/'))
    .map((u) => u.slice(u.indexOf('/dist/src/') + '/dist/src/'.length));
  return { status: r.status, stdout: r.stdout, modules };
}

/**
 * What `os-vif plug` must not load: the commands it does not run and what only they need (the
 * OVN demo and sandboxes included; the OVS plugin's wait for ovn-installed is part of plug).
 */
const NOT_FOR_PLUG = [
  /^demo\//,
  /^sandbox\//,
  /^bench\//,
  /^cni\//,
  /^guest\//,
  /^helper\/(server|privileges|peer|client|protocol)\.js$/,
  /^cli\/(demo|bench|helper|cni|config|host-info)\.js$/,
];

test('--version loads the entry, the usage and failure helpers and the summaries, nothing else', (t) => {
  const r = traced(['--version']);
  t.is(r.status, 0);
  t.regex(r.stdout, /^\d+\.\d+\.\d+/);
  t.deepEqual(r.modules.sort(), ['cli.js', 'cli/failure.js', 'cli/summaries.js', 'cli/usage.js']);
});

test('the main help lists every command without loading one', (t) => {
  const r = traced(['--help']);
  t.is(r.status, 0);
  for (const name of commandNames())
    t.true(r.stdout.includes(`\n  ${name.padEnd(10)} ${SUMMARIES[name]}\n`), name);
  t.is(r.modules.length, 4);
});

test('CNI_COMMAND=VERSION loads four modules of the CNI plugin and no plugin code', (t) => {
  const r = traced([], { CNI_COMMAND: 'VERSION' });
  t.is(r.status, 0);
  t.deepEqual(JSON.parse(r.stdout), { cniVersion: '1.1.0', supportedVersions: ['1.0.0', '1.1.0'] });
  t.deepEqual(r.modules.sort(), ['cni/errors.js', 'cni/index.js', 'cni/process.js', 'cni/version.js']);
});

test('plug loads the library and its plugins but no demo, sandbox, benchmark, CNI, guest or helper server code', (t) => {
  const r = traced([
    'plug',
    '--vifs',
    path.join(dir, 'none.json'),
    '--instances',
    path.join(dir, 'none.json'),
  ]);
  t.is(r.status, 2); // the missing file, before anything on the host
  t.true(r.modules.includes('cli/plug.js'));
  t.true(r.modules.some((m) => m.startsWith('plugins/')));
  t.deepEqual(
    r.modules.filter((m) => NOT_FOR_PLUG.some((re) => re.test(m))),
    [],
  );
  const help = traced(['plug', '--help']);
  t.is(help.status, 0);
  t.deepEqual(
    help.modules.filter((m) => NOT_FOR_PLUG.some((re) => re.test(m))),
    [],
  );
});

test('each command module has the name and summary the table shows', async (t) => {
  for (const name of commandNames()) {
    const cmd = await loadCommand(name);
    t.is(cmd.name, name);
    t.is(cmd.summary, SUMMARIES[name]);
  }
});
