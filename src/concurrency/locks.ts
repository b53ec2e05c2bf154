/**
 * oslo.concurrency's `lockutils.lock(name, external=True)` for this library: a lock shared by
 * every caller in this process (queued here, in order) and by every process on the host (a
 * lock file of that name in the lock directory, see {@link acquireFileLock}). Python os-vif
 * takes `nova-lock_bridge` and `nova-lock_vlan` this way; given the same lock directory, the
 * two exclude each other.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { NativeError } from '../native/addon.js';
import { acquireFileLock } from './file-lock.js';
import { KeyedLock } from './keyed-lock.js';
import { resolveLockPath } from './options.js';

/** A lock could not be taken: a bad name, an unusable lock directory, or the wait timed out. */
export class LockError extends Error {
  /** errno name: EINVAL (bad name), ETIMEDOUT, EACCES, ENOENT, ELOOP, ... */
  readonly code: string;
  /** The lock file. */
  readonly path: string;

  constructor(message: string, code: string, file: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockError';
    this.code = code;
    this.path = file;
  }
}

/** Options of {@link Locks}. */
export interface LocksOptions {
  /** The `[oslo_concurrency] lock_path` option (unset: OSLO_LOCK_PATH, else the default). */
  lock_path?: string | null;
  /** The `[oslo_concurrency] disable_process_locking` option: in-process locks only. */
  disable_process_locking?: boolean;
  /** Give up waiting for a lock file after this many milliseconds (default: wait, as os-vif). */
  timeoutMs?: number;
  /** Environment to read OSLO_LOCK_PATH from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of one {@link Locks.synchronized} call. */
export interface SynchronizedOptions {
  /** Also take the lock file (default true); false: this process only. */
  external?: boolean;
  /**
   * Remove the lock file when releasing (for per-object locks that would otherwise pile up).
   * Never for a name Python also locks: its waiters do not look for a replaced file.
   */
  removeFile?: boolean;
  /** Ends the wait for the lock file. */
  signal?: AbortSignal;
}

/** Named locks, in-process and across processes. */
export class Locks {
  /** The lock directory. */
  readonly lockPath: string;
  /** False when `disable_process_locking` is set: no lock files are taken. */
  readonly interProcess: boolean;
  private readonly inProcess = new KeyedLock();
  private readonly timeoutMs: number | undefined;
  private directory?: Promise<void>;

  /** Throws InvalidConfig when the lock directory is not an absolute path. */
  constructor(options: LocksOptions = {}) {
    this.lockPath = resolveLockPath(options.lock_path, options.env);
    this.interProcess = !options.disable_process_locking;
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * Runs `body` holding lock `name`: after every earlier holder in this process, then holding
   * the lock file `<lock_path>/<name>` (the directory is created, mode 0755, when missing).
   * A name that is not a plain file name is refused (LockError EINVAL) before anything runs.
   */
  async synchronized<T>(name: string, body: () => Promise<T>, options: SynchronizedOptions = {}): Promise<T> {
    const file = path.join(this.lockPath, checkName(name, this.lockPath));
    return this.inProcess.with(name, async () => {
      if (!this.interProcess || options.external === false) return body();
      await this.ensureDirectory(file);
      let held: Awaited<ReturnType<typeof acquireFileLock>>;
      try {
        held = await acquireFileLock(file, {
          ...(this.timeoutMs !== undefined ? { timeoutMs: this.timeoutMs } : {}),
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
        });
      } catch (error) {
        throw lockError(error, name, file);
      }
      try {
        return await body();
      } finally {
        held.release({ unlink: options.removeFile === true });
      }
    });
  }

  private ensureDirectory(file: string): Promise<void> {
    this.directory ??= mkdir(this.lockPath, { recursive: true, mode: 0o755 }).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => {
        this.directory = undefined;
        throw lockError(error, path.basename(file), file);
      },
    );
    return this.directory;
  }
}

/** A lock name is one file name: 1 to 255 bytes, no '/', no NUL, not '.' or '..'. */
function checkName(name: string, lockPath: string): string {
  const ok =
    typeof name === 'string' &&
    Buffer.byteLength(name) >= 1 &&
    Buffer.byteLength(name) <= 255 &&
    !/[/\0]/.test(name) &&
    name !== '.' &&
    name !== '..';
  if (ok) return name;
  throw new LockError(
    `lock name ${JSON.stringify(name)} is not a file name (1 to 255 bytes, no '/', not '.' or '..')`,
    'EINVAL',
    lockPath,
  );
}

function lockError(error: unknown, name: string, file: string): unknown {
  const code = (error as NativeError | NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || (error as Error).name === 'AbortError') return error;
  const why =
    code === 'ETIMEDOUT'
      ? 'another process holds it'
      : `${(error as Error).message}; check [oslo_concurrency] lock_path (or OSLO_LOCK_PATH)`;
  return new LockError(`cannot take lock ${name} (${file}): ${why}`, code, file, { cause: error });
}
