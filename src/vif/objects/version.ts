/**
 * Object version strings: `MAJOR.MINOR` (os-vif), loaded as written and compared numerically.
 */
import { InvalidTargetVersion, InvalidVersion, show } from '../errors.js';

const VERSION_RE = /^\d+(\.\d+)*$/;

/** Parse a version into its integer parts; throws {@link InvalidVersion} for anything but dotted digits. */
export function parseVersion(version: unknown): number[] {
  if (typeof version !== 'string' || !VERSION_RE.test(version)) {
    throw new InvalidVersion({ version: show(version) });
  }
  return version.split('.').map(Number);
}

/** Compare as tuples, the way oslo's `convert_version_to_tuple` does (`1.0.0` > `1.0`). */
export function compareTuples(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Compare as release numbers (PEP 440: trailing zeros do not count, so `1` equals `1.0.0`). */
export function compareReleases(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Can a class at `current` load a primitive at `requested`: same major, current not older. */
export function isCompatible(requested: string, current: string): boolean {
  const req = parseVersion(requested);
  const cur = parseVersion(current);
  return req[0] === cur[0] && compareReleases(cur, req) >= 0;
}

/** Parse a backport target; an unparseable one is an {@link InvalidTargetVersion}. */
export function parseTarget(version: string): number[] {
  try {
    return parseVersion(version);
  } catch {
    throw new InvalidTargetVersion({ version });
  }
}
