/**
 * The `[oslo_concurrency]` option group, as oslo.concurrency declares it (`lock_path`,
 * `disable_process_locking`, both also read from `DEFAULT`), and where the lock files go.
 */
import type { ConfigOption } from '../vif/config.js';
import { InvalidConfig } from '../vif/errors.js';

/** The option group's name. */
export const OSLO_CONCURRENCY_GROUP = 'oslo_concurrency';

/**
 * Where lock files go when neither `lock_path` nor `OSLO_LOCK_PATH` is set. oslo.concurrency
 * refuses external locks then; this library uses a directory of its own instead, so its
 * processes still exclude each other (Python os-vif shares the locks only when both sides are
 * given the same `lock_path`).
 */
export const DEFAULT_LOCK_PATH = '/run/os-vif/locks';

/** Declared options of group `oslo_concurrency`. */
export const OSLO_CONCURRENCY_OPTIONS: readonly ConfigOption[] = [
  {
    name: 'lock_path',
    type: 'string',
    default: null,
    deprecatedGroup: 'DEFAULT',
    help: `Directory of the lock files (an absolute path); unset: the environment variable OSLO_LOCK_PATH, else ${DEFAULT_LOCK_PATH}. Give Python os-vif's lock_path to share its locks`,
  },
  {
    name: 'disable_process_locking',
    type: 'boolean',
    default: false,
    deprecatedGroup: 'DEFAULT',
    help: 'Take in-process locks only (no lock files): unsafe when two processes change the same bridges',
  },
];

/** Values of the `oslo_concurrency` group. */
export interface ConcurrencyOptions {
  lock_path: string | null;
  disable_process_locking: boolean;
}

/**
 * The lock directory: `lock_path`, else `OSLO_LOCK_PATH` (read as oslo.concurrency reads it:
 * the environment's value, when not empty), else {@link DEFAULT_LOCK_PATH}. A relative path is
 * an {@link InvalidConfig} (oslo would resolve it against the working directory, which differs
 * between processes that must share the locks).
 */
export function resolveLockPath(
  lockPath: string | null | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const fromEnv = env.OSLO_LOCK_PATH;
  const chosen = lockPath || fromEnv || DEFAULT_LOCK_PATH;
  const option = lockPath ? 'lock_path' : 'lock_path (from OSLO_LOCK_PATH)';
  if (!chosen.startsWith('/') || chosen.includes('\0')) {
    throw new InvalidConfig({
      group: OSLO_CONCURRENCY_GROUP,
      option,
      reason: `must be an absolute directory path, got ${JSON.stringify(chosen)}`,
    });
  }
  return chosen;
}
