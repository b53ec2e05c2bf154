/**
 * How hard the fuzz tests try. The default suite runs each property a bounded number of times
 * (seconds in all); `OS_VIF_FUZZ=1` multiplies the runs (by `OS_VIF_FUZZ_FACTOR`, default 25; `npm run fuzz` runs them all)
 * for a long run by hand (verbose counterexamples; fast-check prints the seed to replay one).
 */
export const FUZZ = process.env.OS_VIF_FUZZ === '1';
const factor = Number(process.env.OS_VIF_FUZZ_FACTOR ?? 25);

/** Runs of one property: `n` in the default suite, `n * factor` under OS_VIF_FUZZ=1. */
export function fuzzRuns(n: number): number {
  return FUZZ ? Math.max(n, Math.round(n * factor)) : n;
}

/**
 * fast-check parameters for a property of `n` default runs. An async run that has not finished
 * after `timeout` ms fails the property (a hang is a finding, not a stuck test).
 */
export function fuzzParams(
  n: number,
  timeout = 10_000,
): { numRuns: number; verbose: boolean; timeout: number } {
  return { numRuns: fuzzRuns(n), verbose: FUZZ, timeout };
}

/** A copy of `prim` with the value at a path (`at`: indexes into each level's keys, modulo) replaced by `value`. */
export function splice(prim: unknown, at: number[], value: unknown): unknown {
  if (at.length === 0 || prim === null || typeof prim !== 'object') return value;
  const copy: Record<string, unknown> = Array.isArray(prim) ? ([...prim] as never) : { ...(prim as object) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const key = keys[at[0]! % keys.length]!;
  copy[key] = splice(copy[key], at.slice(1), value);
  return copy;
}
