/**
 * One inter-process lock file: an exclusive fcntl record lock on the whole file, the lock
 * oslo.concurrency takes with `fcntl.lockf` (through fasteners), so Python and this library
 * exclude each other on the same file. A lock no one holds is taken at once (one non-blocking
 * attempt); a wait runs on a native thread, and the event loop keeps running.
 */
import { type NativeError, native } from '../native/addon.js';

/** A held lock file. */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Releases the lock (idempotent). With `unlink`, the file is removed first when the path still
   * names it: only for lock files no other program (Python) takes, as a waiter there would keep
   * waiting on the removed file.
   */
  release(options?: { unlink?: boolean }): void;
}

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions {
  /** Give up after this many milliseconds (an error with code ETIMEDOUT). Default: wait. */
  timeoutMs?: number;
  /** Ends the wait (rejecting with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Waits for the lock on `path` (an absolute path; the file is created when missing, the
 * directory must exist). Rejects with the NativeError of `open` or `fcntl`, ETIMEDOUT after
 * `timeoutMs`, or the signal's reason.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<FileLock> {
  const { signal } = options;
  signal?.throwIfAborted();
  const wait = native().fileLock({
    path,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const onAbort = () => wait.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const held = await wait.acquired;
    if (signal?.aborted) {
      held.release();
      signal.throwIfAborted();
    }
    return {
      path,
      release: (releaseOptions) => {
        held.release(releaseOptions);
      },
    };
  } catch (error) {
    if (signal?.aborted && (error as NativeError).code === 'ECANCELED') signal.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
