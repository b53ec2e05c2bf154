/**
 * Errors across the socket: the helper sends an error and its causes as data, and the client
 * rebuilds each link as an instance of the same class (looked up by name in the catalogues of
 * os-vif, the plugins, netlink, OVSDB and the helper), with the same message, keyword arguments
 * and fields. A name the client does not know becomes a {@link RemoteError} that keeps the name,
 * so code and the CLI that branch on `error.name` see the same thing either way.
 */
import * as netlinkErrors from '../netlink/errors.js';
import * as ovsdbErrors from '../ovsdb/errors.js';
import * as pluginErrors from '../plugins/errors.js';
import * as vifErrors from '../vif/errors.js';
import { ExceptionBase } from '../vif/errors.js';
import * as helperErrors from './errors.js';

/** An error as it travels: its class name, message, data fields and cause. */
export interface WireError {
  type: string;
  message: string;
  /** `ExceptionBase` keyword arguments (values that are not JSON scalars are sent as text). */
  kwargs?: Record<string, WireScalar>;
  /** Other own data fields (`code`, `errno`, `syscall`, `field`, ...), JSON scalars only. */
  fields?: Record<string, WireScalar>;
  cause?: WireError;
}

/** A JSON scalar. */
export type WireScalar = string | number | boolean | null;

const MAX_DEPTH = 8;
const MAX_TEXT = 4096;
const MAX_FIELDS = 32;
const SKIP = new Set(['name', 'message', 'stack', 'cause', 'kwargs']);
const NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;

/** An error from the helper whose class this process does not know; `name` is the helper's. */
export class RemoteError extends ExceptionBase {
  static override template = '%(message)s';
}

type ErrorClass = abstract new (...args: never[]) => Error;

const CLASSES: ReadonlyMap<string, ErrorClass> = (() => {
  const map = new Map<string, ErrorClass>();
  for (const module of [vifErrors, pluginErrors, netlinkErrors, ovsdbErrors, helperErrors]) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'function' && value.prototype instanceof Error) map.set(name, value as ErrorClass);
    }
  }
  return map;
})();

/** `error` and its causes as data (at most 8 deep; texts cut at 4 KiB). */
export function toWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { type: 'Error', message: text(String(error)) };
  const wire: WireError = {
    type: NAME.test(error.name) ? error.name : 'Error',
    message: text(error.message),
  };
  if (error instanceof ExceptionBase) wire.kwargs = scalars(error.kwargs);
  const fields = scalars(Object.fromEntries(Object.entries(error).filter(([k]) => !SKIP.has(k))));
  if (Object.keys(fields).length > 0) wire.fields = fields;
  if (error.cause !== undefined && depth + 1 < MAX_DEPTH) wire.cause = toWire(error.cause, depth + 1);
  return wire;
}

/** Rebuilds an error from {@link toWire}'s data, as an instance of its class when known. */
export function fromWire(wire: WireError, depth = 0): Error {
  const cls = CLASSES.get(wire.type);
  // a real Error (native error data, a stack) whose prototype is the class's; its constructor,
  // whose arguments differ from class to class, does not run: the fields are set from the data
  const error = Reflect.construct(Error, [wire.message], cls ?? RemoteError) as Error;
  define(error, 'name', wire.type);
  define(error, 'stack', `${wire.type}: ${wire.message}\n    at os-vif helper`);
  if (error instanceof ExceptionBase) define(error, 'kwargs', Object.freeze({ ...(wire.kwargs ?? {}) }));
  for (const [k, v] of Object.entries(wire.fields ?? {})) {
    // own data properties (never an assignment, so `__proto__` cannot change the prototype)
    if (!SKIP.has(k))
      Object.defineProperty(error, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  if (wire.cause && depth + 1 < MAX_DEPTH) define(error, 'cause', fromWire(wire.cause, depth + 1));
  return error;
}

/** Why `value` is not a {@link WireError}, or undefined when it is one. */
export function wireErrorShapeProblem(value: unknown, depth = 0): string | undefined {
  if (depth >= MAX_DEPTH) return 'causes nested too deep';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const v = value as Record<string, unknown>;
  if (typeof v.type !== 'string' || !NAME.test(v.type)) return 'type must be a class name';
  if (typeof v.message !== 'string' || v.message.length > MAX_TEXT) return 'message must be a string';
  for (const key of ['kwargs', 'fields'] as const) {
    if (v[key] === undefined) continue;
    const o = v[key];
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return `${key} must be an object`;
    const entries = Object.entries(o);
    if (entries.length > MAX_FIELDS) return `${key} has too many entries`;
    if (!entries.every(([, x]) => x === null || ['string', 'number', 'boolean'].includes(typeof x)))
      return `${key} must hold JSON scalars`;
  }
  for (const key of Object.keys(v)) {
    if (!['type', 'message', 'kwargs', 'fields', 'cause'].includes(key)) return `unexpected key ${key}`;
  }
  return v.cause === undefined ? undefined : wireErrorShapeProblem(v.cause, depth + 1);
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

function text(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 3)}...` : s;
}

function scalars(record: Readonly<Record<string, unknown>>): Record<string, WireScalar> {
  const out: Record<string, WireScalar> = {};
  for (const [k, v] of Object.entries(record).slice(0, MAX_FIELDS)) {
    if (!NAME.test(k) || v === undefined) continue;
    if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
    else out[k] = text(typeof v === 'string' ? v : vifErrors.show(v));
  }
  return out;
}
