/**
 * The scale benchmark's pure parts: option parsing, the table's ratios and the SVG plot, on a
 * report written by hand (no sandbox, no root).
 */
import test from 'ava';
import {
  allMethods,
  BenchOptionError,
  type BenchReport,
  type Method,
  methodIds,
  parseBenchArgs,
  renderSvg,
  renderTables,
  resultStem,
  runScaleBench,
} from '../../src/bench/index.js';

test('options: defaults, lists, order and bad values', (t) => {
  const d = parseBenchArgs({});
  t.deepEqual(d.sizes, [10, 100, 1000]);
  t.deepEqual(d.kinds, ['plain', 'hybrid', 'linux_bridge']);
  t.deepEqual(d.methods, methodIds());
  const q = parseBenchArgs({ n: '100,10,10', kinds: 'linux_bridge,plain', methods: 'lib-inflight,floor' });
  t.deepEqual(q.sizes, [10, 100]);
  t.deepEqual(q.kinds, ['plain', 'linux_bridge']);
  t.deepEqual(q.methods, ['floor', 'lib-inflight'], 'table order, not the order given');
  for (const bad of [
    { n: 'lots' },
    { n: '0' },
    { n: '5001' },
    { n: '1.5' },
    { kinds: 'sriov' },
    { methods: 'magic' },
    { n: '' },
  ])
    t.throws(() => parseBenchArgs(bad), { instanceOf: BenchOptionError }, JSON.stringify(bad));
  t.throws(() => parseBenchArgs({ n: 'lots' }), { message: /--n must be an integer/ });
  t.is(parseBenchArgs({ 'serial-max': '100' }).serialMax, 100);
  t.is(parseBenchArgs({}).serialMax, undefined);
  t.throws(() => parseBenchArgs({ 'serial-max': '0' }), { instanceOf: BenchOptionError });
});

test('--serial-max: a one-at-a-time method above it is skipped, with the reason, and never opened', async (t) => {
  let opened = 0;
  const serial: Method = {
    id: 'serial',
    label: 'one by one',
    family: 'library',
    oneAtATime: true,
    unavailable: async () => undefined,
    open: async () => {
      opened++;
      throw new Error('not here');
    },
  };
  const report = await runScaleBench({ sizes: [2], kinds: ['plain'], methods: [serial], serialMax: 1 });
  t.is(opened, 0);
  t.is(report.serialMax, 1);
  t.like(report.samples[0], { status: 'skipped', reason: 'one VIF at a time: run up to N=1 (--serial-max)' });
  t.true(report.complete);
});

test('result file names say which subset a run was', (t) => {
  const all = allMethods();
  t.is(resultStem(parseBenchArgs({}), all), 'scale-n10_100_1000');
  t.is(
    resultStem(parseBenchArgs({ n: '10', kinds: 'hybrid', methods: 'floor' }), all),
    'scale-n10-hybrid-floor',
  );
});

function report(): BenchReport {
  const m = (id: string, family: 'library' | 'baseline' | 'floor') => ({ id, label: `label ${id}`, family });
  const methods = [
    m('shell', 'baseline'),
    m('python', 'baseline'),
    m('floor', 'floor'),
    m('lib-inflight', 'library'),
    m('lib-plugall', 'library'),
  ];
  const s = (n: number, method: string, plugMs: number, unplugMs: number) => ({
    kind: 'plain' as const,
    n,
    method,
    label: `label ${method}`,
    family: methods.find((x) => x.id === method)?.family ?? 'library',
    status: 'ok' as const,
    plugMs,
    unplugMs,
  });
  return {
    started: '2026-12-05T06:00:00.000Z',
    seconds: 1,
    complete: true,
    host: { node: 'v20', cpus: 2, loadavg: [0, 0, 0], kernel: 'k' },
    sizes: [10, 100],
    kinds: ['plain'],
    methods,
    samples: [
      s(10, 'shell', 1000, 800),
      s(10, 'python', 500, 400),
      s(10, 'floor', 100, 80),
      s(10, 'lib-inflight', 150, 40),
      {
        ...s(10, 'lib-plugall', 0, 0),
        status: 'unavailable',
        plugMs: undefined,
        unplugMs: undefined,
        reason: 'no plugAll',
      },
      s(100, 'shell', 10_000, 8000),
      s(100, 'python', 5000, 4000),
      s(100, 'floor', 1000, 800),
      s(100, 'lib-inflight', 1200, 400),
      {
        ...s(100, 'lib-plugall', 0, 0),
        status: 'failed',
        plugMs: undefined,
        unplugMs: undefined,
        reason: 'after plug: tap…: missing',
      },
    ],
  };
}

test('table: ms per VIF, total, ÷ floor, shell ÷ it, Python ÷ it; failures named, never timed', (t) => {
  const text = renderTables(report()).join('\n');
  // N = 10, all in flight: 15 ms/VIF, 150 ms, 1.5x the floor, shell 6.67x, Python 3.33x; unplug 4 ms/VIF…
  t.regex(
    text,
    /\| label lib-inflight \| 15\.0 \| 150 ms \| 1\.50x \| 6\.67x \| 3\.33x \| 4\.00 \| 40 ms \| 0\.500x \| 20\.0x \| 10\.0x \|/,
  );
  t.regex(text, /\| label lib-inflight \| 12\.0 \| 1\.20 s \| 1\.20x \| 8\.33x \| 4\.17x \|/);
  t.regex(text, /\| label floor \| 10\.0 \| 100 ms \| 1\.00x \|/);
  t.regex(text, /\| label lib-plugall \(unavailable\) \| — \|/);
  t.regex(text, /- label lib-plugall: failed: after plug: tap…: missing/);
  // scaling: ms/VIF at each N and N=100 ÷ N=10 (all in flight: 12 / 15 = 0.8; unplug 4 / 4 = 1)
  t.regex(text, /\| label lib-inflight \| 15\.0 \/ 4\.00 \| 12\.0 \/ 4\.00 \| 0\.800x \| 1\.00x \|/);
  t.notRegex(text, /\| label lib-plugall \| .* \| .* \|\n/, 'no verified sample, no scaling row');
});

test('svg: one panel per kind and phase, a line per method with points, log axes, no NaN', (t) => {
  const svg = renderSvg(report());
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.trimEnd().endsWith('</svg>'));
  t.false(svg.includes('NaN'));
  t.false(svg.includes('Infinity'));
  // 4 measured methods × 2 phases, each a polyline through its 2 sizes
  t.is(svg.match(/<polyline /g)?.length, 8);
  t.is(svg.match(/<circle /g)?.length, 16);
  t.regex(svg, /plain — plug/);
  t.regex(svg, /plain — unplug/);
  t.regex(svg, /stroke-dasharray="5 3"/, 'baselines dashed');
  t.regex(svg, />label lib-plugall \(no verified sample\)</, 'every method is in the legend');
  // the same cost per VIF draws at the same height: floor and shell are 10x apart at both sizes
  const ys = [...svg.matchAll(/<polyline fill="none" stroke="[^"]+" stroke-width="3" points="([^"]+)"/g)].map(
    (m) => (m[1] as string).split(' ').map((p) => Number(p.split(',')[1])),
  );
  t.is(ys.length, 2, 'the floor, plug and unplug');
  t.is(ys[0]?.[0], ys[0]?.[1], 'the floor costs 10 ms per VIF at N=10 and N=100: a flat line');
  const tags = svg.match(/<\/?[a-z]+/g) ?? [];
  t.is(tags.filter((x) => x === '<svg').length, 1);
});
