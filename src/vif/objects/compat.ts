/**
 * Helpers for the per-class backport rules.
 */
import { compareTuples, parseTarget } from './version.js';

/** Is `target` older than `major.minor`? (tuple comparison, as oslo's `convert_version_to_tuple`). */
export function olderThan(target: string, major: number, minor: number): boolean {
  return compareTuples(parseTarget(target), [major, minor]) < 0;
}
