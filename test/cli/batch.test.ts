/**
 * `os-vif plug|unplug` in batch: `--vifs`/`--instances` files (and stdin), `--stream` NDJSON,
 * per-VIF results, exit statuses and the summary line, usage errors, and the stream read as it
 * arrives through the real launcher's pipes. The VIFs are the `noop` plugin's (nothing on the
 * host changes, no root needed); test/cli/batch-e2e.test.ts plugs real ones.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import '../../src/plugins/index.js';
import { BIN, idOf, instance, noopVif, parsed, run, streamLine, writeIn } from './batch-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}cb`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => writeIn(dir, name, content);

const three = file('three.json', [noopVif(0), noopVif(1), noopVif(2)]);
const threeInstances = file('three-i.json', [instance, instance, instance]);

/** The error message of a JSON result line. */
const messageOf = (line: Record<string, unknown> | undefined) =>
  String((line?.error as { message?: unknown } | undefined)?.message);

/** Chunks of text, as a stream would deliver them. */
async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

test.serial('files: one line per VIF in input order, the summary on stderr, exit 0', async (t) => {
  const r = await run(['plug', '--vifs', three, '--instances', threeInstances]);
  t.is(r.code, 0);
  t.is(r.out.length, 3);
  r.out.forEach((line, i) => {
    t.regex(line, new RegExp(`^plugged VIF ${idOf(i)} \\(noop\\) in [0-9.]+ ms$`));
  });
  t.deepEqual(r.err, ['os-vif plug: 3 plugged, 0 failed']);
  const j = await run([
    'unplug',
    '--vifs',
    three,
    '--instances',
    threeInstances,
    '--json',
    '--concurrency',
    '1',
  ]);
  t.is(j.code, 0);
  t.deepEqual(
    parsed(j.out).map(({ ms, ...rest }) => (typeof ms === 'number' ? rest : { ms })),
    [0, 1, 2].map((i) => ({ ok: true, action: 'unplug', vif: idOf(i), plugin: 'noop', index: i })),
  );
  t.deepEqual(j.err, ['os-vif unplug: 3 unplugged, 0 failed']);
});

test.serial('files: a bad VIF fails alone with its own error; exit 1 when any failed', async (t) => {
  const vifs = file('mixed.json', [noopVif(0), { not: 'a primitive' }, noopVif(2, 'nosuch'), noopVif(3)]);
  const insts = file('mixed-i.json', [instance, instance, instance, instance]);
  const r = await run(['plug', '--vifs', vifs, '--instances', insts, '--json']);
  t.is(r.code, 1);
  const lines = parsed(r.out);
  t.deepEqual(
    lines.map((l) => [l.index, l.ok, l.vif, l.exit]),
    [
      [0, true, idOf(0), undefined],
      [1, false, null, 2],
      [2, false, idOf(2), 2],
      [3, true, idOf(3), undefined],
    ],
  );
  t.like(lines[1], { error: { type: 'UsageError' } });
  t.regex(messageOf(lines[1]), /^entry 1: VIF primitive rejected/);
  t.like(lines[2], {
    error: { type: 'NoMatchingPlugin', message: 'No VIF plugin was found with the name nosuch' },
  });
  t.is(r.err.at(-1), 'os-vif plug: 2 plugged, 2 failed');

  const text = await run(['plug', '--vifs', vifs, '--instances', insts]);
  t.is(text.code, 1);
  t.is(text.out.length, 2);
  t.deepEqual(text.err, [
    text.err[0] ?? '',
    `os-vif plug: VIF ${idOf(2)}: NoMatchingPlugin: No VIF plugin was found with the name nosuch`,
    'os-vif plug: 2 plugged, 2 failed',
  ]);
  t.regex(text.err[0] ?? '', /^os-vif plug: entry 1: VIF primitive rejected/);
});

test.serial('files: when every VIF is refused input (nothing changed) the exit is 2', async (t) => {
  const vifs = file('bad.json', [noopVif(0, 'nosuch'), noopVif(1, 'nosuch')]);
  const r = await run(['plug', '--vifs', vifs, '--instances', file('bad-i.json', [instance, instance])]);
  t.is(r.code, 2);
  t.is(r.err.at(-1), 'os-vif plug: 0 plugged, 2 failed');
  const none = await run(['plug', '--vifs', file('none.json', []), '--instances', file('none-i.json', [])]);
  t.is(none.code, 0, 'an empty batch succeeds');
  t.deepEqual(none.err, ['os-vif plug: 0 plugged, 0 failed']);
});

test.serial('files: --vifs - reads standard input', async (t) => {
  const text = JSON.stringify([noopVif(5), noopVif(6)]);
  const r = await run(
    ['plug', '--vifs', '-', '--instances', file('two-i.json', [instance, instance]), '--json'],
    {
      stdin: async () => text,
    },
  );
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(
    parsed(r.out).map((l) => l.vif),
    [idOf(5), idOf(6)],
  );
});

test.serial('usage errors exit 2 with one line, before anything runs', async (t) => {
  const cases: [string[], RegExp][] = [
    [
      ['plug', '--vifs', three, '--instances', file('one-i.json', [instance])],
      /--vifs has 3 VIFs and --instances 1/,
    ],
    [
      ['plug', '--vifs', file('obj.json', { a: 1 }), '--instances', threeInstances],
      /must be a JSON array of VIF/,
    ],
    [
      ['plug', '--vifs', three, '--instances', file('obj-i.json', 'null')],
      /must be a JSON array of InstanceInfo/,
    ],
    [['plug', '--vifs', '-', '--instances', '-'], /standard input \(-\) is already the VIFs file/],
    [
      ['plug', '--vifs', file('nojson.json', '[{'), '--instances', threeInstances],
      /VIFs file .* is not JSON/,
    ],
    [['plug', '--vifs', three], /--instances is required with --vifs/],
    [['plug', '--instances', threeInstances], /--vifs is required with --instances/],
    [['plug', '--vif', 'a.json', '--vifs', three, '--instances', threeInstances], /give one of/],
    [['plug', '--stream', '--vifs', three, '--instances', threeInstances], /give one of/],
    [['plug', '--stream', '--config', '-'], /standard input \(-\) is already the --stream input/],
    [['plug', '--stream', '--concurrency', '0'], /--concurrency must be a positive integer, got "0"/],
    [['plug', '--stream', '--concurrency', 'lots'], /--concurrency must be a positive integer/],
    [
      ['plug', '--vif', 'a.json', '--instance', 'b.json', '--concurrency', '4'],
      /--concurrency is for a batch/,
    ],
    [['unplug'], /--vif is required/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv, { stdin: async () => '[]', stdinChunks: () => chunks() });
    t.is(r.code, 2, argv.join(' '));
    t.deepEqual(r.out, [], argv.join(' '));
    t.is(r.err.length, 1, `${argv.join(' ')}: ${r.err.join(' | ')}`);
    t.regex(r.err[0] ?? '', message, argv.join(' '));
  }
});

test.serial(
  'stream: one result per line (line numbers), lines split anywhere, blank lines skipped, a malformed line fails alone',
  async (t) => {
    const text = [
      streamLine(0),
      '',
      '{"vif": 1',
      JSON.stringify({ vif: noopVif(3) }),
      '[1, 2]',
      `${streamLine(5)}\r`,
      `{"vif": {"versioned_object.data": {"id": "${idOf(6)}"}}, "instance": {}}`,
      streamLine(7, 'nosuch'),
      'x'.repeat(3000),
      streamLine(9),
    ].join('\n');
    // delivered in pieces cut in the middle of lines
    const parts = [text.slice(0, 17), text.slice(17, 500), text.slice(500, 501), text.slice(501)];
    const r = await run(['plug', '--stream'], { stdinChunks: () => chunks(...parts) });
    t.is(r.code, 1);
    const byLine = new Map(parsed(r.out).map((l) => [l.line, l]));
    t.deepEqual(
      [...byLine.keys()].sort((a, b) => Number(a) - Number(b)),
      [1, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    t.like(byLine.get(1), { ok: true, vif: idOf(0), plugin: 'noop', action: 'plug' });
    t.like(byLine.get(6), { ok: true, vif: idOf(5) });
    t.like(byLine.get(10), { ok: true, vif: idOf(9) });
    t.like(byLine.get(3), { ok: false, vif: null, exit: 2, error: { type: 'UsageError' } });
    t.regex(messageOf(byLine.get(3)), /^line 3: not JSON/);
    t.like(byLine.get(4), { ok: false, vif: idOf(3), exit: 2, error: { message: 'line 4: no "instance"' } });
    t.like(byLine.get(5), { ok: false, vif: null, exit: 2 });
    t.like(byLine.get(7), { ok: false, vif: idOf(6), exit: 2 });
    t.like(byLine.get(8), { ok: false, vif: idOf(7), exit: 2, error: { type: 'NoMatchingPlugin' } });
    t.like(byLine.get(9), { ok: false, vif: null, exit: 2 });
    t.deepEqual(r.err, ['os-vif plug: 3 plugged, 6 failed']);
  },
);

test.serial('stream: an empty input is an empty batch; a line past the limit fails alone', async (t) => {
  const empty = await run(['unplug', '--stream'], { stdinChunks: () => chunks() });
  t.is(empty.code, 0);
  t.deepEqual(empty.out, []);
  t.deepEqual(empty.err, ['os-vif unplug: 0 unplugged, 0 failed']);
  const long = await run(['unplug', '--stream'], {
    stdinChunks: () => chunks(`${'y'.repeat(1024 * 1024 + 1)}\n`, streamLine(1)),
  });
  t.is(long.code, 1);
  t.like(parsed(long.out)[0], {
    ok: false,
    line: 1,
    error: { message: 'line 1: longer than the limit of one line' },
  });
  t.like(parsed(long.out)[1], { ok: true, line: 2, vif: idOf(1) });
});

test.serial(
  'stream through the launcher: each result comes out before stdin ends; exit and summary at the end',
  async (t) => {
    const child = spawn(process.execPath, [BIN, 'plug', '--stream', '--concurrency', '2'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const results = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(String((await results.next()).value)) as Record<string, unknown>;
    // one line at a time: the answer to each is read before the next is written, stdin stays open
    for (let n = 0; n < 3; n++) {
      child.stdin.write(`${streamLine(n)}\n`);
      t.like(await next(), { ok: true, vif: idOf(n), line: n + 1 });
    }
    child.stdin.write('not json\n');
    t.like(await next(), { ok: false, line: 4, exit: 2 });
    t.is(child.exitCode, null, 'still running, waiting for more input');
    child.stdin.end(`${streamLine(4)}\n`);
    t.like(await next(), { ok: true, vif: idOf(4), line: 5 });
    t.is(await exited, 1);
    t.is(stderr, 'os-vif plug: 4 plugged, 1 failed\n');
  },
);

test.serial('stream: SIGINT stops reading, prints the summary and exits 130; SIGTERM 143', async (t) => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const child = spawn(process.execPath, [BIN, 'unplug', '--stream'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    const results = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stdin.write(`${streamLine(0)}\n`);
    t.like(JSON.parse(String((await results.next()).value)), { ok: true, line: 1 });
    child.kill(signal);
    t.is(await exited, code, signal);
    t.is(stderr, `os-vif unplug: 1 unplugged, 0 failed (stopped by ${signal})\n`);
  }
});
