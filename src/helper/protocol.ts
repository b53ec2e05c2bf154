/**
 * The helper's wire protocol: one JSON object a line (UTF-8, `\n`-terminated), one request and
 * then its response, in turn, on a unix stream socket.
 *
 * ```
 * → {"v":1,"id":1,"op":"plug","vif":{VIF primitive},"instance":{InstanceInfo primitive}}
 * ← {"v":1,"id":1,"ok":true,"result":null}
 * → {"v":1,"id":2,"op":"host-info","permitted":["VIFBridge"]}
 * ← {"v":1,"id":2,"ok":true,"result":{HostInfo primitive}}
 * ← {"v":1,"id":3,"ok":false,"error":{"type":"PlugException","message":"...","cause":{...}}}
 * ```
 *
 * Requests carry primitives only: no paths, no commands, no options. Everything here is pure
 * (no I/O) so that it can be fuzzed without root.
 */
import { ExceptionBase } from '../vif/errors.js';
import * as objects from '../vif/objects/index.js';
import { HelperProtocolError } from './errors.js';
import { type WireError, wireErrorShapeProblem } from './wire-errors.js';

/** The protocol version. */
export const PROTOCOL_VERSION = 1;

/** The limits of a request and of what the helper keeps per connection. */
export const LIMITS = Object.freeze({
  /** Bytes of one request line, newline included. */
  maxRequestBytes: 256 * 1024,
  /** Bytes of one response line (a HostInfo is a few KiB). */
  maxResponseBytes: 1024 * 1024,
  /** Nesting depth of a request's JSON (a VIF primitive is about 8 deep). */
  maxDepth: 32,
  /** Entries of `permitted`. */
  maxPermitted: 64,
});

/** The operations the helper serves. */
export type Operation = 'plug' | 'unplug' | 'host-info';

/** A request as it travels (primitives, not objects). */
export type WireRequest =
  | { v: 1; id: number; op: 'plug' | 'unplug'; vif: unknown; instance: unknown }
  | { v: 1; id: number; op: 'host-info'; permitted?: string[] };

/** A request checked and loaded: the objects exactly as the facade takes them. */
export type Request =
  | { id: number; op: 'plug' | 'unplug'; vif: objects.VIFBase; instance: objects.InstanceInfo }
  | { id: number; op: 'host-info'; permitted: string[] | undefined };

/** A response as it travels. `id` is null when the request had none that could be read. */
export type WireResponse =
  | { v: 1; id: number; ok: true; result: unknown }
  | { v: 1; id: number | null; ok: false; error: WireError };

const KEYS: Record<Operation, readonly string[]> = {
  plug: ['v', 'id', 'op', 'vif', 'instance'],
  unplug: ['v', 'id', 'op', 'vif', 'instance'],
  'host-info': ['v', 'id', 'op', 'permitted'],
};

const CLASS_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** The request line for a request (without checking it: the helper does). */
export function encodeRequest(request: WireRequest): string {
  return `${JSON.stringify(request)}\n`;
}

/** The response line. */
export function encodeResponse(response: WireResponse): string {
  return `${JSON.stringify(response)}\n`;
}

/**
 * Checks one request line (without its newline) and loads its primitives with
 * `objects.fromPrimitive`, as the facade's callers do. Throws {@link HelperProtocolError} for
 * anything malformed (`requestId` on it when the id could be read), or the object layer's own
 * typed error for a primitive it refuses. Never throws anything but an {@link ExceptionBase}.
 */
export function parseRequest(line: Uint8Array): Request {
  const value = parseJsonLine(line, LIMITS.maxRequestBytes, 'request');
  if (!isPlainObject(value)) throw protocolError('a request must be a JSON object');
  const id = value.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    throw protocolError('id must be a non-negative integer');
  const op = value.op;
  if (op !== 'plug' && op !== 'unplug' && op !== 'host-info')
    throw protocolError(`op must be plug, unplug or host-info, got ${describe(op)}`, id);
  if (value.v !== PROTOCOL_VERSION) throw protocolError(`v must be ${PROTOCOL_VERSION}`, id);
  const extra = Object.keys(value).filter((k) => !KEYS[op].includes(k));
  if (extra.length > 0) throw protocolError(`unexpected key ${describe(extra[0])} for ${op}`, id);
  if (op === 'host-info') return { id, op, permitted: permittedOf(value.permitted, id) };
  if (!('vif' in value) || !('instance' in value)) throw protocolError(`${op} needs vif and instance`, id);
  const vif = load(() => objects.fromPrimitive(value.vif, objects.VIFBase), id);
  const instance = load(() => objects.fromPrimitive(value.instance, objects.InstanceInfo), id);
  return { id, op, vif, instance };
}

/** Checks one response line (client side). Throws {@link HelperProtocolError} when malformed. */
export function parseResponse(line: Uint8Array): WireResponse {
  const value = parseJsonLine(line, LIMITS.maxResponseBytes, 'response');
  if (!isPlainObject(value) || value.v !== PROTOCOL_VERSION || typeof value.ok !== 'boolean')
    throw protocolError('the helper sent a malformed response');
  const id = value.id;
  const idOk = (typeof id === 'number' && Number.isSafeInteger(id)) || (id === null && !value.ok);
  if (!idOk) throw protocolError('the helper sent a response without a valid id');
  if (value.ok) return { v: 1, id: id as number, ok: true, result: value.result ?? null };
  const problem = wireErrorShapeProblem(value.error);
  if (problem) throw protocolError(`the helper sent a malformed error: ${problem}`);
  return { v: 1, id: id as number | null, ok: false, error: value.error as WireError };
}

function parseJsonLine(line: Uint8Array, max: number, what: string): unknown {
  if (line.length >= max) throw protocolError(`${what} longer than ${max - 1} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(line);
  } catch {
    throw protocolError(`${what} is not UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw protocolError(`${what} is not JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  if (depthExceeds(value, LIMITS.maxDepth))
    throw protocolError(`${what} nested deeper than ${LIMITS.maxDepth}`);
  return value;
}

/** Is `value` nested deeper than `max`? Iterative, so hostile depth cannot overflow the stack. */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function permittedOf(permitted: unknown, id: number): string[] | undefined {
  if (permitted === undefined) return undefined;
  if (
    !Array.isArray(permitted) ||
    permitted.length > LIMITS.maxPermitted ||
    !permitted.every((p) => typeof p === 'string' && CLASS_NAME.test(p))
  ) {
    throw protocolError(`permitted must be a list of at most ${LIMITS.maxPermitted} VIF class names`, id);
  }
  return [...permitted] as string[];
}

function load<T>(fn: () => T, id: number): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ExceptionBase) {
      Object.defineProperty(error, 'requestId', { value: id, enumerable: false });
      throw error;
    }
    throw protocolError(`primitive rejected: ${(error as Error)?.message ?? String(error)}`, id, error);
  }
}

function protocolError(reason: string, id?: number, cause?: unknown): HelperProtocolError {
  const error = new HelperProtocolError({ reason }, cause === undefined ? {} : { cause });
  if (id !== undefined) Object.defineProperty(error, 'requestId', { value: id, enumerable: false });
  return error;
}

/** The request id a parse error carries, when the id could be read. */
export function requestIdOf(error: unknown): number | null {
  const id = (error as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'number' ? id : null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/**
 * Splits a byte stream into lines of at most `max` bytes (newline included). `push` returns the
 * complete lines; a line that grows past `max` without its newline throws
 * {@link HelperProtocolError} at once, so a hostile peer never makes it buffer more than `max`.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  /** Bytes held of an unfinished line. */
  get pending(): number {
    return this.size;
  }

  /** Adds bytes; returns the lines they complete (without their newlines). */
  push(data: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      if (this.size + piece.length + 1 > this.max) throw this.tooLong();
      this.chunks.push(piece);
      lines.push(Buffer.concat(this.chunks));
      this.chunks = [];
      this.size = 0;
      start = nl + 1;
    }
    const rest = data.subarray(start);
    if (rest.length > 0) {
      if (this.size + rest.length + 1 > this.max) throw this.tooLong();
      this.chunks.push(Buffer.from(rest));
      this.size += rest.length;
    }
    return lines;
  }

  private tooLong(): HelperProtocolError {
    return new HelperProtocolError({ reason: `line longer than ${this.max - 1} bytes` });
  }
}
