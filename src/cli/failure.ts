/**
 * Turns an error into the CLI's one line, and decides its exit code: input errors (bad files,
 * bad primitives, bad options, a VIF the plugin rejects before touching the host) exit 2;
 * everything else is an operation failure and exits 1. The line names the VIF and the root cause.
 */
import { UsageError } from './usage.js';

/** Error names that mean "the input was wrong, nothing was changed". */
const INPUT_ERRORS = new Set([
  'UsageError',
  'InvalidOption',
  'InvalidConfig',
  'InvalidVif',
  'MissingPortProfile',
  'WrongPortProfile',
  'UnsupportedVif',
  'NoMatchingPlugin',
  'NetlinkValidationError',
  'UnsupportedObjectError',
  'IncompatibleObjectVersion',
  'ObjectError',
  'ObjectKeyError',
  'ObjectValueError',
  'ObjectTypeError',
  'ObjectFieldNotSet',
  'InvalidVersion',
]);

/** The exit class and the one line for an error. */
export function describeFailure(error: unknown): { invalidInput: boolean; line: string } {
  const chain = causes(error);
  const root = chain[chain.length - 1] ?? error;
  const invalidInput = chain.some((e) => e instanceof UsageError || INPUT_ERRORS.has(nameOf(e)));
  const vifId = chain.map(vifIdOf).find((id) => id !== undefined);
  const rootText = oneLine(`${nameOf(root)}: ${messageOf(root)}`);
  const line = vifId !== undefined && !rootText.includes(vifId) ? `VIF ${vifId}: ${rootText}` : rootText;
  return { invalidInput, line: root instanceof UsageError ? oneLine(messageOf(root)) : line };
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

function vifIdOf(e: unknown): string | undefined {
  const kwargs = (e as { kwargs?: Record<string, unknown> })?.kwargs;
  const vif = kwargs?.vif as { id?: unknown } | undefined;
  if (typeof vif?.id === 'string') return vif.id;
  return typeof kwargs?.vif_id === 'string' ? kwargs.vif_id : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
