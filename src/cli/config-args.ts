/**
 * The options every command that loads the library shares: os-vif's configuration from
 * oslo.config files (`--config-file nova.conf`, repeatable), CONFIG.json (`--config`), single
 * options (`--set os_vif_ovs.ovsdb_connection=tcp:…`) and the `ovs-vsctl`-style shortcuts
 * `--ovsdb`/`--db` and `--timeout`. Files are read first (later ones win), then CONFIG.json,
 * then `--set` and the shortcuts, which beat both. A problem exits 2 before the host is touched.
 */
import { OSLO_CONCURRENCY_OPTIONS } from '../concurrency/index.js';
import {
  type ConfigOverride,
  type DeclaredGroups,
  type IniSections,
  parseIniBytes,
  readIniFile,
  readOsloOptions,
} from '../config/index.js';
import { LINUX_BRIDGE_OPTIONS, OVS_OPTIONS } from '../plugins/index.js';
import { type ConfigGroups, gatherGroup, type OptionValue, resolveOptions } from '../vif/index.js';
import type { InputFiles } from './input.js';
import { type OptionDef, UsageError } from './usage.js';

/**
 * The option groups of the built-in plugins, as os-vif declares them, and `[oslo_concurrency]`
 * (`lock_path`: where the lock files shared with Python os-vif are).
 */
export const BUILTIN_GROUPS: DeclaredGroups = {
  os_vif_linux_bridge: LINUX_BRIDGE_OPTIONS,
  os_vif_ovs: OVS_OPTIONS,
  oslo_concurrency: OSLO_CONCURRENCY_OPTIONS,
};

/** The shared options, for a command's `options`. */
export const CONFIG_OPTIONS: Record<string, OptionDef> = {
  'config-file': {
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'oslo.config file (nova.conf) with [os_vif_ovs] / [os_vif_linux_bridge] / [oslo_concurrency]; repeatable, later wins',
  },
  config: { type: 'string', value: 'CONFIG.json', help: 'option groups as JSON, e.g. {"os_vif_ovs": {...}}' },
  set: {
    type: 'string',
    multiple: true,
    value: 'GROUP.OPTION=VALUE',
    help: 'one option, written as in a config file; beats the files (repeatable)',
  },
  ovsdb: { type: 'string', value: 'REMOTE', help: 'same as --set os_vif_ovs.ovsdb_connection=REMOTE' },
  db: { type: 'string', value: 'REMOTE', help: 'same as --ovsdb' },
  timeout: { type: 'string', value: 'SECONDS', help: 'same as --set os_vif_ovs.ovs_vsctl_timeout=SECONDS' },
  'wait-bound': {
    type: 'string',
    value: 'SECONDS',
    help: 'OVN: plug returns once ovn-controller marked the port ovn-installed (unplug: once released), within SECONDS; same as --set os_vif_ovs.wait_for_ovn_installed=true --timeout SECONDS',
  },
};

type Values = Record<string, string | boolean | string[] | undefined>;

/** The configuration the shared options describe, checked against the built-in plugins' options. */
export async function loadConfig(values: Values, input: InputFiles): Promise<ConfigGroups> {
  const overrides = overridesOf(values);
  const files: IniSections[] = [];
  for (const path of list(values['config-file'])) {
    files.push(
      path === '-'
        ? parseIniBytes(Buffer.from(await input.text('-', 'config'), 'utf8'), '<stdin>')
        : await readIniFile(path),
    );
  }
  const fromFiles = readOsloOptions(BUILTIN_GROUPS, { files, overrides });
  const json = typeof values.config === 'string' ? await readJsonConfig(values.config, input) : {};
  const merged: Record<string, Record<string, unknown>> = {};
  for (const group of new Set([...Object.keys(fromFiles), ...Object.keys(json)])) {
    const set = new Set(overrides.filter((o) => o.group === group).map((o) => o.option));
    const own = fromFiles[group] ?? {};
    merged[group] = {
      ...own,
      ...json[group],
      ...Object.fromEntries(Object.entries(own).filter(([name]) => set.has(name))),
    };
  }
  effectiveOptions(merged); // every problem now, before anything else happens
  return merged;
}

/** Every option of the built-in plugins with its effective value, by group. */
export function effectiveOptions(config: ConfigGroups): Record<string, Record<string, OptionValue>> {
  const out: Record<string, Record<string, OptionValue>> = {};
  for (const [group, declared] of Object.entries(BUILTIN_GROUPS))
    out[group] = resolveOptions(group, declared, gatherGroup(config, group, declared));
  return out;
}

function overridesOf(values: Values): ConfigOverride[] {
  const out = list(values.set).map(parseSet);
  const ovsdb = values.ovsdb ?? values.db;
  if (typeof values.ovsdb === 'string' && typeof values.db === 'string' && values.ovsdb !== values.db)
    throw new UsageError('--ovsdb and --db name the same option; give one');
  if (typeof ovsdb === 'string') out.push({ group: 'os_vif_ovs', option: 'ovsdb_connection', value: ovsdb });
  if (typeof values.timeout === 'string')
    out.push({ group: 'os_vif_ovs', option: 'ovs_vsctl_timeout', value: values.timeout });
  const bound = values['wait-bound'];
  if (typeof bound === 'string') {
    if (typeof values.timeout === 'string' && values.timeout !== bound)
      throw new UsageError(
        '--wait-bound SECONDS is also the call time limit; give it or --timeout, not both',
      );
    out.push({ group: 'os_vif_ovs', option: 'wait_for_ovn_installed', value: 'true' });
    if (typeof values.timeout !== 'string')
      out.push({ group: 'os_vif_ovs', option: 'ovs_vsctl_timeout', value: bound });
  }
  return out;
}

function parseSet(text: string): ConfigOverride {
  const m = /^([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)=(.*)$/su.exec(text);
  if (!m) throw new UsageError(`--set takes GROUP.OPTION=VALUE, got ${JSON.stringify(text)}`);
  const [, group = '', option = '', value = ''] = m;
  const declared = BUILTIN_GROUPS[group];
  if (!declared)
    throw new UsageError(
      `--set ${group}.${option}: no option group ${group} (${Object.keys(BUILTIN_GROUPS).join(', ')})`,
    );
  if (!declared.some((o) => o.name === option))
    throw new UsageError(`--set ${group}.${option}: ${group} has no option ${option}`);
  return { group, option, value };
}

async function readJsonConfig(
  path: string,
  input: InputFiles,
): Promise<Record<string, Record<string, unknown>>> {
  const value = await input.json(path, 'config');
  if (!isObject(value) || !Object.values(value).every(isObject)) {
    throw new UsageError(
      `config file ${path} must be an object of option groups, e.g. {"os_vif_ovs": {...}}`,
    );
  }
  return value as Record<string, Record<string, unknown>>;
}

function list(v: string | boolean | string[] | undefined): string[] {
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
