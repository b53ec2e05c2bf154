/**
 * The checked-in vectors (`test/fixtures/os-vif-3.0.0/`) are what `scripts/gen-vectors.py` writes
 * today: when Python os-vif 3.0.0 is installed (`/usr/bin/python3`, Debian python3-os-vif), the
 * generator runs into a temporary directory and every file must match byte for byte, with no file
 * missing or extra. Without Python os-vif 3.0.0 one passing test says why the check was skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { VECTORS } from './vectors.js';

const PYTHON = process.env.OSVIF_PYTHON ?? '/usr/bin/python3';
const GENERATOR = fileURLToPath(new URL('../../../scripts/gen-vectors.py', import.meta.url));
/** Files in the fixtures directory that the generator does not write. */
const HAND_WRITTEN = new Set(['README.md']);

const probe = spawnSync(
  PYTHON,
  ['-c', "import os_vif, importlib.metadata as m; print(m.version('os_vif'))"],
  {
    encoding: 'utf8',
  },
);
const installed = probe.status === 0 ? probe.stdout.trim() : undefined;
const skipReason =
  installed === undefined
    ? `python os-vif is not installed for ${PYTHON} (Debian python3-os-vif): vectors not regenerated`
    : installed !== '3.0.0'
      ? `python os-vif ${installed} is installed, the vectors are of 3.0.0: vectors not regenerated`
      : undefined;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function generate(outDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [GENERATOR, outDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 110_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

if (skipReason) {
  test('vectors are current: skipped', (t) => {
    t.log(skipReason);
    t.pass();
  });
} else {
  test('scripts/gen-vectors.py rewrites test/fixtures/os-vif-3.0.0 byte for byte', async (t) => {
    const out = mkdtempSync(join(tmpdir(), `ovtvec${process.pid}-`));
    try {
      const run = await generate(out);
      t.is(run.code, 0, run.stderr.split('\n').slice(-5).join('\n'));
      const expected = files(VECTORS).filter((f) => !HAND_WRITTEN.has(f));
      t.deepEqual(files(out), expected, 'the same files');
      const differing = expected.filter(
        (f) => !readFileSync(join(out, f)).equals(readFileSync(join(VECTORS, f))),
      );
      t.deepEqual(
        differing,
        [],
        'files whose bytes differ (regenerate with /usr/bin/python3 scripts/gen-vectors.py)',
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
