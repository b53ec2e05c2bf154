/**
 * Reading the CLI's input files: VIF and InstanceInfo primitives (exactly as Python os-vif's
 * `obj_to_primitive()` writes them) and the option groups of CONFIG.json. Every problem is a
 * {@link UsageError} naming the file, raised before anything on the host changes.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage.js';

/** Reads and parses a JSON file; UsageError naming the file on failure. */
export async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} file ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Option groups by their os-vif names (`os_vif_ovs`, `os_vif_linux_bridge`, ...). */
export type ConfigGroups = Record<string, Record<string, unknown>>;

/** Reads CONFIG.json: an object of objects. */
export async function readConfig(path: string | undefined): Promise<ConfigGroups> {
  if (path === undefined) return {};
  const value = await readJson(path, 'config');
  if (!isObject(value) || !Object.values(value).every(isObject)) {
    throw new UsageError(
      `config file ${path} must be an object of option groups, e.g. {"os_vif_ovs": {...}}`,
    );
  }
  return value as ConfigGroups;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
