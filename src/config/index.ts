/**
 * Reading os-vif's options from oslo.config files (`nova.conf`, `os-vif.conf`): the INI dialect
 * and the lookup, substitution and conversion rules of oslo.config, for the groups a caller
 * declares. The result is the `config` that `initialize()` takes.
 *
 * ```ts
 * import { readConfigFiles } from 'os-vif';
 * import { OVS_OPTIONS, LINUX_BRIDGE_OPTIONS } from 'os-vif/plugins';
 * const config = await readConfigFiles(['/etc/nova/nova.conf'], {
 *   os_vif_ovs: OVS_OPTIONS,
 *   os_vif_linux_bridge: LINUX_BRIDGE_OPTIONS,
 * });
 * await initialize({ config });
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { ConfigGroups } from '../vif/index.js';
import { ConfigFileParseError, type IniSections, parseIni } from './ini.js';
import { type ConfigOverride, type DeclaredGroups, readOsloOptions } from './oslo.js';

export { ConfigFileParseError, type IniSections, normalizeSection, parseIni } from './ini.js';
export {
  ConfigFileValueError,
  type ConfigOverride,
  type DeclaredGroups,
  type OsloSources,
  readOsloOptions,
} from './oslo.js';

/** A `--config-file` that cannot be read (oslo.config's ConfigFilesNotFoundError and kin). */
export class ConfigFileNotFoundError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`Failed to read config file ${file}: ${code}`);
    this.name = 'ConfigFileNotFoundError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses one file (UTF-8; anything else is a {@link ConfigFileParseError}). */
export async function readIniFile(path: string): Promise<IniSections> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ConfigFileNotFoundError(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return parseIniBytes(bytes, path);
}

/** Parses a file's bytes, named `file` in errors. */
export function parseIniBytes(bytes: Uint8Array, file: string): IniSections {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ConfigFileParseError(file, 0, 'not UTF-8 text', '');
  }
  return parseIni(text, file);
}

/**
 * The options of `declared` groups set by `files` (later files override earlier ones) and by
 * `overrides` (which override every file), typed as `initialize({ config })` takes them.
 */
export async function readConfigFiles(
  files: readonly string[],
  declared: DeclaredGroups,
  overrides: readonly ConfigOverride[] = [],
): Promise<ConfigGroups> {
  const parsed = await Promise.all(files.map(readIniFile));
  return readOsloOptions(declared, { files: parsed, overrides });
}
