/**
 * `os-vif/concurrency`: the locks of os-vif (oslo.concurrency's `lockutils`), in-process and
 * across processes, interoperable with Python os-vif's lock files.
 *
 * ```ts
 * import { Locks } from 'os-vif/concurrency';
 * const locks = new Locks({ lock_path: '/var/lib/nova/tmp' });   // nova's [oslo_concurrency] lock_path
 * await locks.synchronized('nova-lock_bridge', async () => { ... });
 * ```
 */
export { acquireFileLock, type FileLock, type FileLockOptions } from './file-lock.js';
export { KeyedLock } from './keyed-lock.js';
export { LockError, Locks, type LocksOptions, type SynchronizedOptions } from './locks.js';
export {
  type ConcurrencyOptions,
  DEFAULT_LOCK_PATH,
  OSLO_CONCURRENCY_GROUP,
  OSLO_CONCURRENCY_OPTIONS,
  resolveLockPath,
} from './options.js';
