/**
 * The scale benchmark end to end, small: `os-vif bench --n 2 --kinds plain` with this
 * library's methods and the floor, through the CLI, JSON alone on stdout; and a method that
 * leaves the host wrong is reported as failed, not timed (the verification can fail). Needs
 * root and Open vSwitch; about 10 s.
 */
import test from 'ava';
import { type BenchReport, type Method, runScaleBench } from '../../src/bench/index.js';
import { main } from '../../src/cli.js';
import { isRoot, trySh } from '../harness/netns.js';

const hasOvs =
  trySh('sh', ['-c', 'command -v ovsdb-server && command -v ovs-vswitchd && command -v ovs-vsctl']).status ===
  0;
const e2e = isRoot && hasOvs ? test.serial : test.serial.skip;

e2e('os-vif bench --json: valid JSON alone on stdout, every available method verified', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    [
      'bench',
      '--n',
      '2',
      '--kinds',
      'plain',
      '--methods',
      'floor,lib-serial,lib-inflight,lib-plugall,cli-batch',
      '--json',
    ],
    { out: (l) => out.push(l), err: (l) => err.push(l), tty: false },
  );
  t.is(code, 0, err.join('\n'));
  t.is(out.length, 1, 'one line on stdout');
  const report = JSON.parse(out[0] as string) as BenchReport;
  t.deepEqual(report.sizes, [2]);
  t.deepEqual(report.kinds, ['plain']);
  t.deepEqual(
    report.samples.map((s) => s.method),
    ['floor', 'lib-serial', 'lib-inflight', 'lib-plugall', 'cli-batch'],
  );
  for (const s of report.samples) {
    if (s.status === 'unavailable') {
      t.true(s.method === 'lib-plugall' || s.method === 'cli-batch', `${s.method} unavailable: ${s.reason}`);
      t.log(`${s.method}: unavailable (${s.reason})`);
      continue;
    }
    t.is(s.status, 'ok', `${s.method}: ${s.reason}`);
    t.true((s.plugMs ?? 0) > 0 && (s.unplugMs ?? 0) > 0, s.method);
  }
  t.true(
    err.some((l) => /plain N=2 lib-inflight: unplug .* verified/.test(l)),
    'progress on stderr',
  );
});

e2e('a method that leaves the host wrong is failed with the reason, and gets no time', async (t) => {
  const lazy: Method = {
    id: 'lazy',
    label: 'plugs nothing',
    family: 'library',
    unavailable: async () => undefined,
    open: async () => ({ plug: async () => 1, unplug: async () => 1, close: async () => undefined }),
  };
  const report = await runScaleBench({ sizes: [1], kinds: ['plain'], methods: [lazy] });
  const [s] = report.samples;
  t.is(s?.status, 'failed');
  t.regex(s?.reason ?? '', /after plug: .*MTU 1500, expected 1450.*OVS interface tap10000000-d5: missing/);
  t.is(s?.plugMs, undefined);
  t.is(trySh('ip', ['netns', 'list']).stdout.includes(`ovt${process.pid}b`), false, 'sandbox removed');
});
