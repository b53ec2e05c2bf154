/**
 * Live cross-check with Python os-vif (`/usr/bin/python3`, Debian python3-os-vif): random objects
 * written by this library load in Python and come back identical, with the same `str()` and the
 * same backports (or the same backport errors). Skipped when Python os-vif is not installed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { anyObject, objectArb } from './arbitraries.js';
import { objects, pythonName } from './exports.js';
import { canonical, objectVectorFiles } from './vectors.js';

const PYTHON = process.env.OSVIF_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(process.cwd(), 'test', 'vif', 'python_roundtrip.py');
const probe = spawnSync(PYTHON, ['-c', 'import os_vif'], { encoding: 'utf8' });
const available = probe.status === 0;
const maybe = available ? test : test.skip;
if (!available) console.log(`python os-vif not available (${PYTHON}): cross-check skipped`);

interface PyResult {
  primitive: unknown;
  str: string;
  backports: Record<string, unknown>;
}

function olderTargets(obj: objects.VersionedObject): string[] {
  const [major, minor] = obj.objVersion.split('.').map(Number) as [number, number];
  const out: string[] = [];
  for (let m = minor - 1; m >= 0; m--) out.push(`${major}.${m}`);
  return out;
}

function viaPython(objs: objects.VersionedObject[]): PyResult[] {
  const input = JSON.stringify(objs.map((o) => ({ primitive: o.toPrimitive(), targets: olderTargets(o) })));
  const run = spawnSync(PYTHON, [SCRIPT], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PyResult[];
}

function compare(t: import('ava').ExecutionContext, objs: objects.VersionedObject[]): void {
  const results = viaPython(objs);
  t.is(results.length, objs.length);
  objs.forEach((obj, i) => {
    const py = results[i] as PyResult;
    const label = String(obj).slice(0, 120);
    t.is(canonical(py.primitive), canonical(obj.toPrimitive()), label);
    t.is(py.str, String(obj), label);
    for (const target of olderTargets(obj)) {
      const expected = py.backports[target] as { error?: string };
      let mine: unknown;
      try {
        mine = obj.toPrimitive(target);
      } catch (err) {
        mine = { error: pythonName(err) };
      }
      t.is(canonical(mine), canonical(expected), `${label} @${target}`);
    }
  });
}

maybe('random objects of every class round-trip through Python os-vif unchanged', (t) => {
  const objs = objects
    .registeredClasses()
    .flatMap((cls) => fc.sample(objectArb(cls), { numRuns: 25, seed: 42 }));
  compare(t, objs);
});

maybe('more random objects (any class, deeper nesting) round-trip through Python', (t) => {
  compare(t, fc.sample(anyObject, { numRuns: 400, seed: Date.now() % 100_000 }));
});

maybe('built objects (a fully populated VIFOpenVSwitch, vectors rebuilt in TS) load in Python', (t) => {
  const objs = objectVectorFiles().flatMap((f) => f.vectors.map((v) => objects.fromPrimitive(v.primitive)));
  compare(t, objs);
});
