/**
 * Every error this client throws. Two families that never mix:
 * - {@link OvsdbConnectionError}: the connection itself (refused, closed, timed out, protocol);
 * - {@link OvsdbOperationError}: the server refused one operation of a transaction (RFC 7047
 *   section 4.1.3/5.2), one subclass per RFC error string, with the failing operation's index.
 * Schema checks made before anything is sent throw {@link OvsdbSchemaError}.
 */

/** Base class of every error from `os-vif/ovsdb`. */
export class OvsdbError extends Error {
  override name = 'OvsdbError';
}

/** Why a connection failed. */
export type ConnectionErrorKind = 'refused' | 'closed' | 'timeout' | 'protocol' | 'cancelled' | 'no-leader';

/** The connection (not the database) failed: refused, closed under a request, timed out, bad bytes. */
export class OvsdbConnectionError extends OvsdbError {
  override name = 'OvsdbConnectionError';
  /** What went wrong. */
  readonly kind: ConnectionErrorKind;
  /** The remote (`unix:...`, `tcp:...`) concerned, when known. */
  readonly remote: string | undefined;
  constructor(kind: ConnectionErrorKind, message: string, remote?: string, options?: { cause?: unknown }) {
    super(remote ? `${message} (${remote})` : message, options);
    this.kind = kind;
    this.remote = remote;
  }
}

/** A request got no answer within its timeout; the connection stays usable. */
export class OvsdbTimeoutError extends OvsdbConnectionError {
  override name = 'OvsdbTimeoutError';
  constructor(method: string, timeoutMs: number, remote?: string) {
    super('timeout', `${method} got no reply within ${timeoutMs} ms`, remote);
  }
}

/** The caller aborted a request (AbortSignal) before its reply arrived. */
export class OvsdbCancelledError extends OvsdbConnectionError {
  override name = 'OvsdbCancelledError';
  constructor(method: string, remote?: string) {
    super('cancelled', `${method} was cancelled`, remote);
  }
}

/**
 * A value, row or update from the server that does not follow RFC 7047 (`["set", 5]`, a row
 * that is not an object, ...). Decoding throws it; a notification that carries one closes its
 * session with an {@link OvsdbConnectionError} of kind `protocol` (the replica then resyncs).
 */
export class OvsdbProtocolError extends OvsdbError {
  override name = 'OvsdbProtocolError';
}

/** A JSON-RPC method failed as a whole (e.g. `unknown database`, `unknown monitor`). */
export class OvsdbRpcError extends OvsdbError {
  override name = 'OvsdbRpcError';
  /** The RFC error string (`unknown database`, ...). */
  readonly error: string;
  /** The server's details, when given. */
  readonly details: string | undefined;
  /** The method that failed. */
  readonly method: string;
  constructor(method: string, error: string, details?: string) {
    super(`${method}: ${error}${details ? `: ${details}` : ''}`);
    this.method = method;
    this.error = error;
    this.details = details;
  }
}

/** One operation of a transaction failed; subclasses name the RFC 7047 error. */
export class OvsdbOperationError extends OvsdbError {
  override name = 'OvsdbOperationError';
  /** The RFC error string, e.g. `constraint violation`. */
  readonly error: string;
  /** The server's details, when given. */
  readonly details: string | undefined;
  /** Index of the failing operation in the transaction (or of the commit when it is past the end). */
  readonly index: number;
  /** The full result array as the server returned it. */
  readonly results: readonly unknown[];
  constructor(error: string, details: string | undefined, index: number, results: readonly unknown[]) {
    super(`operation ${index}: ${error}${details ? `: ${details}` : ''}`);
    this.error = error;
    this.details = details;
    this.index = index;
    this.results = results;
  }
}

/** `referential integrity violation`. */
export class ReferentialIntegrityViolation extends OvsdbOperationError {
  override name = 'ReferentialIntegrityViolation';
}
/** `constraint violation` (also unique index violations). */
export class ConstraintViolation extends OvsdbOperationError {
  override name = 'ConstraintViolation';
}
/** `resources exhausted`. */
export class ResourcesExhausted extends OvsdbOperationError {
  override name = 'ResourcesExhausted';
}
/** `I/O error`. */
export class IoError extends OvsdbOperationError {
  override name = 'IoError';
}
/** `duplicate uuid-name`. */
export class DuplicateUuidName extends OvsdbOperationError {
  override name = 'DuplicateUuidName';
}
/** `domain error` (mutation arithmetic). */
export class DomainError extends OvsdbOperationError {
  override name = 'DomainError';
}
/** `range error` (mutation result out of range). */
export class RangeViolation extends OvsdbOperationError {
  override name = 'RangeViolation';
}
/** `timed out` (a `wait` operation's condition did not hold in time). */
export class TimedOut extends OvsdbOperationError {
  override name = 'TimedOut';
}
/** `not supported`. */
export class NotSupported extends OvsdbOperationError {
  override name = 'NotSupported';
}
/** `aborted` (an `abort` operation). */
export class Aborted extends OvsdbOperationError {
  override name = 'Aborted';
}
/** `not owner` (an `assert` on a lock this session does not hold). */
export class NotOwner extends OvsdbOperationError {
  override name = 'NotOwner';
}
/** Syntax errors the server found (`unknown column`, `syntax error`, `unknown table`, ...). */
export class SyntaxViolation extends OvsdbOperationError {
  override name = 'SyntaxViolation';
}

type OperationErrorClass = new (
  error: string,
  details: string | undefined,
  index: number,
  results: readonly unknown[],
) => OvsdbOperationError;

const BY_NAME: Record<string, OperationErrorClass> = {
  'referential integrity violation': ReferentialIntegrityViolation,
  'constraint violation': ConstraintViolation,
  'resources exhausted': ResourcesExhausted,
  'I/O error': IoError,
  'duplicate uuid-name': DuplicateUuidName,
  'domain error': DomainError,
  'range error': RangeViolation,
  'timed out': TimedOut,
  'not supported': NotSupported,
  aborted: Aborted,
  'not owner': NotOwner,
};

/** The typed error for one failed operation. */
export function operationError(
  error: string,
  details: string | undefined,
  index: number,
  results: readonly unknown[],
): OvsdbOperationError {
  const Cls = BY_NAME[error] ?? SyntaxViolation;
  return new Cls(error, details, index, results);
}

/** A value, column or table that the schema rejects; thrown before anything is sent. */
export class OvsdbSchemaError extends OvsdbError {
  override name = 'OvsdbSchemaError';
  /** The table concerned. */
  readonly table: string | undefined;
  /** The column concerned, when the problem is in one column. */
  readonly column: string | undefined;
  /** The offending value, when there is one. */
  readonly value: unknown;
  constructor(message: string, table?: string, column?: string, value?: unknown) {
    const where = [table, column].filter(Boolean).join('.');
    const shown = value === undefined ? '' : `: ${safeJson(value)}`;
    super(`${where ? `${where}: ` : ''}${message}${shown}`);
    this.table = table;
    this.column = column;
    this.value = value;
  }
}

/** An optimistic transaction still conflicted after its last retry. */
export class OvsdbConflictError extends OvsdbError {
  override name = 'OvsdbConflictError';
  /** How many times the transaction ran. */
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(`transaction still conflicted after ${attempts} attempts`, { cause });
    this.attempts = attempts;
  }
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x) => (x instanceof Map ? Object.fromEntries(x) : x));
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return String(v);
  }
}

/** Why a VSwitch verb could not run. */
export type VSwitchErrorCode =
  | 'bridge-not-found'
  | 'port-not-found'
  | 'interface-not-found'
  | 'port-on-other-bridge'
  | 'name-in-use'
  | 'invalid-name'
  | 'not-initialized'
  | 'timeout'
  | 'apply-failed';

/** An Open_vSwitch verb met a state it cannot work with (the database is left unchanged). */
export class VSwitchError extends OvsdbError {
  override name = 'VSwitchError';
  /** What went wrong. */
  readonly code: VSwitchErrorCode;
  constructor(code: VSwitchErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
