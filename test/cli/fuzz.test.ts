/**
 * Fuzzing the CLI's input, in-process through `main` (no root, nothing on the host changes: the
 * VIF files never hold a VIF that loads): random arguments, and plug/unplug with VIF, instance
 * and config files of random bytes, random JSON, or os-vif primitives with random values spliced
 * in. Properties: `main` never throws; invalid input exits 2 with exactly one line on stderr and
 * nothing on stdout (with --json: one JSON object saying exit 2); argument parsing gives values, 'help' or a UsageError. OS_VIF_FUZZ=1 runs
 * many more cases. (Serial: `main` initialises the one library instance of the process.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { hostInfoCommand } from '../../src/cli/host-info.js';
import { plugCommand, unplugCommand } from '../../src/cli/plug.js';
import { parseCommand, UsageError } from '../../src/cli/usage.js';
import { main } from '../../src/cli.js';
import '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import { fuzzParams, splice } from '../harness/fuzz.js';
import { anyObject } from '../vif/arbitraries.js';

const dir = mkdtempSync(path.join(tmpdir(), `ovtclifuzz${process.pid}`));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: Uint8Array | string) => {
  const p = path.join(dir, `f${n++}`);
  writeFileSync(p, content);
  return p;
};

const flag = fc.constantFrom(
  '--vif',
  '--instance',
  '--config',
  '--netns',
  '--json',
  '--help',
  '-h',
  '--permitted',
  '--n',
  '--',
  '-x',
  '--vif=',
);
const argArb = fc.array(fc.oneof(flag, fc.string({ maxLength: 12 })), { maxLength: 8 });

test('argument parsing of every command: values, help, or a UsageError', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(plugCommand, unplugCommand, hostInfoCommand), argArb, (cmd, args) => {
      try {
        const v = parseCommand(cmd, args);
        return v === 'help' || typeof v === 'object';
      } catch (e) {
        if (e instanceof UsageError) return !e.message.includes('\n');
        throw e;
      }
    }),
    fuzzParams(2000),
  );
  t.pass();
});

const primitive = fc
  .tuple(anyObject, fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }))
  .map(([o, at, v]) => splice(o.toPrimitive(), at, v));
const content = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  primitive.map((p) => JSON.stringify(p) ?? ''),
  fc.constantFrom('', '{', '{"os_vif_ovs": 5}', '{"os_vif_ovs": {"ovsdb_connection": "bogus:x"}}', '\u0000'),
);

function loadsAsVif(text: string | Uint8Array): boolean {
  try {
    objects.fromPrimitive(
      JSON.parse(String(typeof text === 'string' ? text : Buffer.from(text))),
      objects.VIFBase,
    );
    return true;
  } catch {
    return false;
  }
}

test.serial(
  'plug and unplug with random files exit 2 with one line on stderr, and never throw',
  async (t) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('plug', 'unplug'),
        content,
        content,
        fc.option(content),
        fc.option(
          fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('nonexistent', '/nonexistent/ns', 'a/b')),
        ),
        fc.boolean(),
        async (action, vif, instance, config, netns, json) => {
          fc.pre(!loadsAsVif(vif)); // a VIF that loads would be plugged for real
          fc.pre(netns === null || (!existsSync(netns) && !existsSync(`/run/netns/${netns}`)));
          const argv = [action, '--vif', file(vif), '--instance', file(instance)];
          if (config !== null) argv.push('--config', file(config));
          if (netns !== null) argv.push('--netns', netns);
          if (json) argv.push('--json');
          const out: string[] = [];
          const err: string[] = [];
          const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
          if (code !== 2) throw new Error(`exit ${code}: ${err.join(' | ')}`);
          if (json) {
            // --json: the failure as one JSON object on stdout too (docs/cli.md)
            const o =
              out.length === 1 ? (JSON.parse(out[0]!) as { ok?: unknown; exit?: unknown }) : undefined;
            if (o?.ok !== false || o.exit !== 2) throw new Error(`stdout: ${out.join(' | ')}`);
          } else if (out.length !== 0) throw new Error(`stdout: ${out.join(' | ')}`);
          if (err.length !== 1 || err[0]!.includes('\n')) throw new Error(`stderr: ${JSON.stringify(err)}`);
        },
      ),
      fuzzParams(150),
    );
    t.pass();
  },
);

test.serial('host-info with random --permitted and config files exits 0 or 2 and never throws', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.option(
        fc.array(
          fc.oneof(fc.constantFrom('VIFBridge', 'VIFOpenVSwitch', 'VIFGeneric'), fc.string({ maxLength: 8 })),
          { maxLength: 4 },
        ),
      ),
      fc.option(content),
      async (permitted, config) => {
        const argv = ['host-info'];
        if (permitted !== null) argv.push('--permitted', permitted.join(','));
        if (config !== null) argv.push('--config', file(config));
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
        if (code === 0) {
          if (out.length !== 1 || err.length !== 0)
            throw new Error(`exit 0 prints one line on stdout only: ${JSON.stringify({ out, err })}`);
          JSON.parse(out[0]!);
        } else if (code !== 2 || err.length !== 1) throw new Error(`exit ${code}: ${JSON.stringify(err)}`);
      },
    ),
    fuzzParams(150),
  );
  t.pass();
});
