/**
 * The input of a batch: `--vifs VIFS.json --instances INSTANCES.json` (two JSON arrays of the same
 * length, element i of one going with element i of the other) or one `{"vif": …, "instance": …}`
 * per line (`--stream`). A file that cannot be read, is not an array, or does not match the other
 * one's length is a {@link UsageError} for the whole command (nothing is started); an element or a
 * line that does not load fails alone, as one VIF of the batch.
 */
import type * as osvif from '../vif/index.js';
import type { InputFiles } from './input.js';
import type { Line } from './lines.js';
import { UsageError } from './usage.js';

/** Turns primitives into objects (the runtime's loaders; each throws a UsageError). */
export interface Loaders {
  loadVif(primitive: unknown): osvif.objects.VIFBase;
  loadInstance(primitive: unknown): osvif.objects.InstanceInfo;
}

/** One VIF of the input: loaded, or refused with the reason (and its id, when it could be read). */
export type BatchEntry = { pair: osvif.VifPair } | { error: UsageError; vifId: string | undefined };

/** Reads the two files (`-` is standard input, for one of them) into primitives; checks their shape. */
export async function readBatchFiles(
  vifsPath: string,
  instancesPath: string,
  input: InputFiles,
): Promise<{ vifs: unknown[]; instances: unknown[] }> {
  const vifs = await input.json(vifsPath, 'VIFs');
  const instances = await input.json(instancesPath, 'instances');
  if (!Array.isArray(vifs))
    throw new UsageError(`--vifs ${vifsPath}: must be a JSON array of VIF primitives`);
  if (!Array.isArray(instances))
    throw new UsageError(`--instances ${instancesPath}: must be a JSON array of InstanceInfo primitives`);
  if (vifs.length !== instances.length)
    throw new UsageError(
      `--vifs has ${vifs.length} VIFs and --instances ${instances.length} instances; they go in pairs`,
    );
  return { vifs, instances };
}

/** Element `index` of the two arrays, loaded. */
export function fileEntry(loaders: Loaders, vif: unknown, instance: unknown, index: number): BatchEntry {
  return entry(loaders, vif, instance, `entry ${index}`);
}

/** One line of `--stream` input, loaded; an empty line is `undefined` (skipped, not a VIF). */
export function lineEntry(loaders: Loaders, line: Line): BatchEntry | undefined {
  const where = `line ${line.number}`;
  if ('tooLong' in line) return refused(`${where}: longer than the limit of one line`, undefined);
  if (line.text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    return refused(`${where}: not JSON: ${(error as Error).message}`, undefined);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('vif' in value))
    return refused(
      `${where}: expected {"vif": VIF primitive, "instance": InstanceInfo primitive}`,
      undefined,
    );
  const { vif, instance } = value as { vif: unknown; instance?: unknown };
  if (instance === undefined) return refused(`${where}: no "instance"`, idOf(vif));
  return entry(loaders, vif, instance, where);
}

function entry(loaders: Loaders, vif: unknown, instance: unknown, where: string): BatchEntry {
  try {
    return { pair: { vif: loaders.loadVif(vif), instanceInfo: loaders.loadInstance(instance) } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return refused(`${where}: ${message}`, idOf(vif), error);
  }
}

function refused(message: string, vifId: string | undefined, cause?: unknown): BatchEntry {
  return { error: new UsageError(message, cause === undefined ? undefined : { cause }), vifId };
}

/** The `id` a VIF primitive carries, if it is a string: the failure can then name the VIF. */
function idOf(primitive: unknown): string | undefined {
  const data = (primitive as Record<string, unknown> | null | undefined)?.['versioned_object.data'];
  const id = (data as Record<string, unknown> | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}
