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
