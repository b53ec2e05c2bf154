/**
 * The progress bar of a batch and the line reader of `--stream`: the bar on its own with a test
 * clock (nothing before 300 ms, throttled, erased around other lines and at the end), then in a
 * command (only when stderr is a terminal, never on stdout), and on a real pseudo-terminal through
 * `script` against the same command with stderr on a pipe. The `noop` plugin: no root needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { type Line, lines } from '../../src/cli/lines.js';
import { ProgressBar } from '../../src/cli/progress.js';
import '../../src/plugins/index.js';
import { BIN, run, streamLine, writeIn } from './batch-fixtures.js';

const ERASE = '\r\x1b[K';
const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}pb`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('the bar: nothing for a batch that is over in 300 ms, then at most every 100 ms, erased at the end', (t) => {
  let now = 1000;
  const written: string[] = [];
  const bar = new ProgressBar({
    write: (s) => written.push(s),
    verb: 'plugged',
    now: () => now,
    timer: false,
  });
  now += 5000;
  bar.update(0, 0, 10);
  t.deepEqual(written, [], 'nothing before the batch starts');
  bar.start();
  bar.update(1, 0, 10);
  now += 299;
  bar.update(2, 0, 10);
  t.deepEqual(written, [], 'quiet for the first 300 ms');
  now += 1;
  bar.update(3, 1, 10);
  t.deepEqual(written, [`${ERASE}[#########.....................] 3/10 done, 1 failed  0.3 s`]);
  now += 50;
  bar.update(4, 1, 10);
  t.is(written.length, 1, 'not redrawn within 100 ms');
  now += 50;
  bar.update(10, 1, 10);
  t.is(written.at(-1), `${ERASE}[##############################] 10/10 done, 1 failed  0.4 s`);
  const lines: string[] = [];
  bar.around(() => lines.push('a line'));
  t.deepEqual(lines, ['a line']);
  t.is(written.at(-1), ERASE, 'erased before the line, not redrawn within 100 ms');
  const count = written.length;
  bar.stop();
  t.is(written.length, count, 'nothing drawn since the line: nothing to erase');
  now += 1000;
  bar.around(() => lines.push('after'));
  bar.update(10, 1, 10);
  t.is(written.length, count, 'a stopped bar never comes back');
  const stream = new ProgressBar({
    write: (s) => written.push(s),
    verb: 'unplugged',
    now: () => now,
    timer: false,
  });
  stream.start();
  now += 400;
  stream.update(5, 2, undefined);
  t.is(written.at(-1), `${ERASE}3 unplugged, 2 failed  0.4 s`, 'a stream of unknown length: a count');
  stream.stop();
  t.is(written.at(-1), ERASE);
});

test('lines: split anywhere, CRLF, no final newline, a line past the limit reported and skipped', async (t) => {
  async function* chunks(): AsyncGenerator<Buffer | string> {
    yield 'ab';
    yield Buffer.from('c\r\n\nd');
    yield `${'x'.repeat(20)}\nlast`;
  }
  const got: Line[] = [];
  for await (const l of lines(chunks(), 8)) got.push(l);
  t.deepEqual(got, [
    { number: 1, text: 'abc' },
    { number: 2, text: '' },
    { number: 3, tooLong: true },
    { number: 4, text: 'last' },
  ]);
  const split: Line[] = [];
  // a multi-byte character cut between two chunks
  const euro = Buffer.from('€\n');
  async function* cut(): AsyncGenerator<Buffer> {
    yield euro.subarray(0, 1);
    yield euro.subarray(1);
  }
  for await (const l of lines(cut())) split.push(l);
  t.deepEqual(split, [{ number: 1, text: '€' }]);
});

/** A stream that pauses `ms` after its first line. */
async function* slowly(ms: number, first: string, rest: string): AsyncGenerator<string> {
  yield first;
  await new Promise((r) => setTimeout(r, ms));
  yield rest;
}

test.serial('in a command: the bar on stderr only when it is a terminal, never on stdout', async (t) => {
  const input = () => slowly(500, `${streamLine(0)}\n`, `${streamLine(1)}\n`);
  const tty = await run(['plug', '--stream'], { tty: true, stdinChunks: input });
  t.is(tty.code, 0);
  t.true(
    tty.raw.some((s) => s.startsWith(`${ERASE}1 plugged`)),
    `the bar was drawn: ${JSON.stringify(tty.raw)}`,
  );
  t.is(tty.raw.at(-1), ERASE, 'and erased at the end');
  t.false(tty.out.some((l) => l.includes('\r') || l.includes('\x1b')));
  const pipe = await run(['plug', '--stream'], { tty: false, stdinChunks: input });
  t.is(pipe.code, 0);
  t.deepEqual(pipe.raw, [], 'no bar when stderr is not a terminal');
});

const hasScript = spawnSync('script', ['--version']).status === 0;
(hasScript ? test : test.skip)(
  'on a real terminal (script): the bar on stderr; with stderr on a pipe, none',
  (t) => {
    const first = writeIn(dir, 'first.ndjson', `${streamLine(0)}\n${streamLine(1)}\n`);
    const second = writeIn(dir, 'second.ndjson', `${streamLine(2)}\n`);
    // the second part is written 1 s after the first results are out (the wait for them is bounded)
    const command = (out: string, stderr: string) =>
      `(cat ${first}; i=0; while [ ! -s ${out} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; sleep 1; cat ${second}) | ${process.execPath} ${BIN} plug --stream >${out} ${stderr}`;
    // script runs the command on a new pseudo-terminal and copies what it prints to its stdout
    const onTty = spawnSync('script', ['-qfec', command(`${dir}/out1`, ''), '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.is(onTty.status, 0, onTty.stderr);
    t.true(
      onTty.stdout.includes(`${ERASE}2 plugged  `),
      `the bar, while the stream waits: ${JSON.stringify(onTty.stdout)}`,
    );
    t.true(onTty.stdout.includes('os-vif plug: 3 plugged, 0 failed'));
    t.is(readFileSync(`${dir}/out1`, 'utf8').split('\n').length, 4, 'three results on stdout');
    t.false(readFileSync(`${dir}/out1`, 'utf8').includes('\x1b'), 'no bar on stdout');
    const onPipe = spawnSync('script', ['-qfec', command(`${dir}/out2`, `2>${dir}/err2`), '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.is(onPipe.status, 0, onPipe.stderr);
    t.is(
      readFileSync(`${dir}/err2`, 'utf8'),
      'os-vif plug: 3 plugged, 0 failed\n',
      'stderr on a file: no bar',
    );
  },
);

test.serial('in a command: result and log lines never land on the bar', async (t) => {
  const all: string[] = [];
  const r = await run(['plug', '--stream', '--log-level', 'info'], {
    tty: true,
    out: (l) => all.push(`out:${l}`),
    err: (l) => all.push(`err:${l}`),
    errWrite: (s) => all.push(s),
    stdinChunks: () => slowly(500, `${streamLine(0)}\n`, `${streamLine(1)}\n${streamLine(2)}\n`),
  });
  t.is(r.code, 0);
  let barShown = false;
  let lines = 0;
  for (const entry of all) {
    if (entry.startsWith('out:') || entry.startsWith('err:')) {
      lines++;
      t.false(barShown, `a line written over the bar: ${entry.slice(0, 60)}`);
    } else barShown = entry !== ERASE;
  }
  t.true(
    all.some((e) => e.startsWith(`${ERASE}1 plugged`)),
    'the bar was drawn',
  );
  t.true(
    all.some((e) => e.startsWith('err:{') && e.includes('Successfully plugged vif')),
    'logs were written',
  );
  t.true(lines > 4);
});
