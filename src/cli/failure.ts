/**
 * Turns an error into the CLI's one line, and decides its exit code: input errors (bad files,
 * bad primitives, bad options, a VIF the plugin refuses before touching the host) exit 2;
 * everything else is an operation failure and exits 1. The line names the VIF and the cause:
 * the plugin's own error, with the lowest-level reason in parentheses when it adds something.
 */
import { UsageError } from './usage.js';

/**
 * Error names that mean "the input was wrong, nothing was changed": only errors raised by the
 * checks that run before the host is touched. A lower layer's validation error
 * (`NetlinkValidationError`, `VSwitchError`) can come half-way through a plug, after a change
 * that was then rolled back, so it exits 1, not 2.
 */
const INPUT_ERRORS = new Set([
  'UsageError',
  'InvalidConfig',
  'InvalidVif',
  'MissingPortProfile',
  'WrongPortProfile',
  'UnsupportedVif',
  'NoMatchingPlugin',
  'ConfigFileParseError',
  'ConfigFileValueError',
  'ConfigFileNotFoundError',
  'UnexpectedDevice',
]);

/** Wrappers that add no information of their own to the line. */
const WRAPPERS = new Set(['PlugException', 'UnplugException', 'VifOperationFailed']);

/** A plug or unplug of one VIF failed; the CLI's wrapper, so the line can name the VIF. */
export class VifOperationFailed extends Error {
  constructor(
    readonly vifId: string,
    cause: unknown,
  ) {
    super(`VIF ${vifId}`, { cause });
    this.name = 'VifOperationFailed';
  }
}

/** What the CLI reports of a failure. */
export interface Failure {
  /** Input was wrong and nothing changed (exit 2); otherwise the operation failed (exit 1). */
  invalidInput: boolean;
  /** The one line for stderr. */
  line: string;
  /** The error's class name (the cause's, past the wrappers). */
  type: string;
  /** Its message (with the lowest-level reason when that adds something). */
  message: string;
  /** The VIF the operation was for, when one was loaded. */
  vifId?: string;
}

/** The exit class and the one line for an error. */
export function describeFailure(error: unknown): Failure {
  const chain = causes(error);
  const usage = chain.find((e): e is UsageError => e instanceof UsageError);
  if (usage) {
    const message = oneLine(usage.message);
    return { invalidInput: true, line: message, type: usage.name, message };
  }
  const invalidInput = chain.some((e) => INPUT_ERRORS.has(nameOf(e)));
  const vifId = chain.find((e): e is VifOperationFailed => e instanceof VifOperationFailed)?.vifId;
  const cause = chain.find((e) => !WRAPPERS.has(nameOf(e))) ?? error;
  const root = chain[chain.length - 1] ?? cause;
  let text = `${nameOf(cause)}: ${messageOf(cause)}`;
  if (root !== cause && !messageOf(cause).includes(messageOf(root)))
    text += ` (${nameOf(root)}: ${messageOf(root)})`;
  return {
    invalidInput,
    line: oneLine(vifId !== undefined ? `VIF ${vifId}: ${text}` : text),
    type: nameOf(cause),
    message: oneLine(text.slice(nameOf(cause).length + 2)),
    ...(vifId !== undefined ? { vifId } : {}),
  };
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e: unknown = error;
    e !== undefined && e !== null && chain.length < 10;
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  return chain;
}

function nameOf(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
