/**
 * Access to the machine-made vectors of Python os-vif 3.0.0, checked in under
 * `test/fixtures/os-vif-3.0.0/` (written by `scripts/gen-vectors.py`; kept current by
 * `vectors-current.test.ts`), and canonical JSON for comparing primitives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The vectors directory: the repository's copy, never anything outside it. */
export const VECTORS = fileURLToPath(new URL('../../../test/fixtures/os-vif-3.0.0/', import.meta.url));

/** Parse a JSON file of the vectors directory. */
export function readVector<T>(relative: string): T {
  return JSON.parse(readFileSync(join(VECTORS, relative), 'utf8')) as T;
}

/** A Python error as the vectors record it. */
export interface PyError {
  exception: string;
  module: string;
  message: string;
}

/** One object vector. */
export interface ObjectVector {
  description: string;
  primitive: Record<string, unknown>;
  python_str: string;
  backports?: Record<string, Record<string, unknown> | { error: PyError }>;
  backports_with_manifest?: Record<string, Record<string, unknown> | { error: PyError }>;
  manifest?: Record<string, string>;
}

/** Every `objects/<Class>.json` file. */
export function objectVectorFiles(): { class: string; version: string; vectors: ObjectVector[] }[] {
  return readdirSync(join(VECTORS, 'objects'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readVector(join('objects', f)));
}

/** JSON with sorted keys and every `versioned_object.changes` list sorted. */
export function canonical(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        let x = (v as Record<string, unknown>)[k];
        if (k === 'versioned_object.changes' && Array.isArray(x)) x = [...x].sort();
        out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(walk(value));
}

/** The Python exception name a TS error stands for (its `pythonName`, else its class name). */
export function pythonName(err: unknown): string {
  const ctor = (err as { constructor?: { pythonName?: string; name?: string } }).constructor;
  return ctor?.pythonName ?? ctor?.name ?? 'unknown';
}
