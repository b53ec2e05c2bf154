/**
 * Fuzzing the batch input, in-process through `main` (no root; no input holds a VIF that loads,
 * so nothing is ever plugged): random `--stream` lines, and random `--vifs`/`--instances` files.
 * Properties: `main` never throws; every non-blank line gets exactly one JSON result line, refused
 * (`exit` 2) and numbered; the whole batch exits 2 (nothing changed) with the summary line; a file
 * that is not a pair of arrays is one usage line. OS_VIF_FUZZ=1 runs many more cases.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { main } from '../../src/cli.js';
import '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { fuzzParams, splice } from '../harness/fuzz.js';
import { anyObject } from '../vif/arbitraries.js';

const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}bf`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string) => {
  const p = path.join(dir, `f${n++}`);
  writeFileSync(p, content);
  return p;
};

const primitive = fc
  .tuple(anyObject, fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }))
  .map(([o, at, v]) => splice(o.toPrimitive(), at, v));
const instance = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'vm',
}).toPrimitive();
const element = fc.oneof(primitive, fc.jsonValue({ maxDepth: 2 }));
const line = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  fc
    .tuple(element, fc.oneof(fc.constant<unknown>(instance), element))
    .map(([vif, inst]) => JSON.stringify({ vif, instance: inst })),
  fc.constantFrom('', '\r', '{', '{"vif": null}', '{"vif": {}, "instance": {}}', '\u0000'),
);

function loads(vif: unknown): boolean {
  try {
    objects.fromPrimitive(vif, objects.VIFBase);
    return true;
  } catch {
    return false;
  }
}

/** Would this line give a VIF that loads (and so be plugged for real)? */
function lineLoads(text: string): boolean {
  try {
    const v = JSON.parse(text) as { vif?: unknown } | null;
    return typeof v === 'object' && v !== null && loads(v.vif);
  } catch {
    return false;
  }
}

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    tty: false,
    stdin: async () => stdin,
    stdinChunks: async function* () {
      // cut anywhere
      for (let i = 0; i < stdin.length; i += 7) yield stdin.slice(i, i + 7);
    },
  });
  return { code, out, err };
}

test.serial(
  '--stream with random lines: one refused result per non-blank line, exit 2, a summary',
  async (t) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('plug', 'unplug'),
        fc.array(line, { maxLength: 8 }),
        async (action, lines) => {
          const text = lines.join('\n');
          const split = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          fc.pre(!split.some(lineLoads));
          const expected = split.flatMap((l, i) => (l.trim() === '' ? [] : [i + 1]));
          const r = await run([action, '--stream'], text);
          if (r.code !== (expected.length === 0 ? 0 : 2))
            throw new Error(`exit ${r.code}: ${r.err.join(' | ')}`);
          const results = r.out.map((l) => JSON.parse(l) as { ok: unknown; exit: unknown; line: number });
          const numbers = results.map((o) => o.line).sort((a, b) => a - b);
          if (JSON.stringify(numbers) !== JSON.stringify(expected))
            throw new Error(`lines ${JSON.stringify(numbers)}, expected ${JSON.stringify(expected)}`);
          if (!results.every((o) => o.ok === false && o.exit === 2))
            throw new Error(`not refused: ${r.out.join(' | ')}`);
          const verb = action === 'plug' ? 'plugged' : 'unplugged';
          if (
            JSON.stringify(r.err) !==
            JSON.stringify([`os-vif ${action}: 0 ${verb}, ${expected.length} failed`])
          )
            throw new Error(`stderr: ${JSON.stringify(r.err)}`);
        },
      ),
      fuzzParams(60),
    );
    t.pass();
  },
);

test.serial(
  '--vifs/--instances with random files: a usage line, or one refused result per element',
  async (t) => {
    const content = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
      fc.array(element, { maxLength: 4 }).map((a) => JSON.stringify(a)),
    );
    await fc.assert(
      fc.asyncProperty(content, content, fc.boolean(), async (vifs, instances, json) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(vifs);
        } catch {}
        fc.pre(!(Array.isArray(parsed) && parsed.some(loads)));
        const argv = [
          'plug',
          '--vifs',
          file(vifs),
          '--instances',
          file(instances),
          ...(json ? ['--json'] : []),
        ];
        const r = await run(argv);
        if (r.code !== 2 && !(r.code === 0 && Array.isArray(parsed) && parsed.length === 0))
          throw new Error(`exit ${r.code}: ${r.err.join(' | ')}`);
        const summary = r.err.at(-1) ?? '';
        if (/^os-vif plug: 0 plugged, [0-9]+ failed$/.test(summary)) {
          const count = (parsed as unknown[]).length;
          if (json && r.out.length !== count) throw new Error(`stdout: ${r.out.join(' | ')}`);
          if (!json && (r.out.length !== 0 || r.err.length !== count + 1))
            throw new Error(`err: ${r.err.join(' | ')}`);
        } else if (r.err.length !== 1 || r.err[0]?.includes('\n'))
          throw new Error(`stderr: ${JSON.stringify(r.err)}`);
      }),
      fuzzParams(150),
    );
    t.pass();
  },
);
