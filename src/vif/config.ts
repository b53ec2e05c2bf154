/**
 * Plugin configuration options: declared by each plugin (name, type, default, help) and checked
 * by the library, before the plugin is constructed, against the group `os_vif_<plugin name>`.
 */
import { InvalidConfig } from './errors.js';

/** Types of option values. */
export type OptionType = 'string' | 'integer' | 'boolean' | 'string-list';

/** A value of an option. */
export type OptionValue = string | number | boolean | string[] | null;

/** One declared option (oslo.config's `cfg.Opt`, reduced to what plugins use). */
export interface ConfigOption {
  /** Option name, as in os-vif (`ovsdb_connection`). */
  readonly name: string;
  /** Value type. `string-list` is oslo's multi-string / list option. */
  readonly type: OptionType;
  /** Value when the option is not given; `null` means "unset" and also allows an explicit `null`. */
  readonly default: OptionValue;
  /** One line of help for operators. */
  readonly help: string;
  /** Allowed values, for enumerated strings. */
  readonly choices?: readonly string[];
  /** Inclusive bounds, for integers. */
  readonly min?: number;
  readonly max?: number;
  /**
   * A legacy group the option is also read from when its own group lacks it (oslo.config's
   * `deprecated_group`; os-vif reads e.g. `network_device_mtu` from `DEFAULT` too).
   */
  readonly deprecatedGroup?: string;
}

/** Option groups by name (`{ os_vif_ovs: { ovsdb_connection: 'unix:/run/ovs/db.sock' } }`). */
export type ConfigGroups = Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;

/** The group name of a plugin's options (`os_vif_ovs`). */
export function groupName(pluginName: string): string {
  return `os_vif_${pluginName}`;
}

function check(group: string, opt: ConfigOption, value: unknown): OptionValue {
  const bad = (reason: string) =>
    new InvalidConfig({ group, option: opt.name, reason: `${reason}, got ${JSON.stringify(value)}` });
  if (value === null) {
    if (opt.default === null) return null;
    throw bad('must not be null');
  }
  switch (opt.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad('must be an integer');
      if (opt.min !== undefined && value < opt.min) throw bad(`must be at least ${opt.min}`);
      if (opt.max !== undefined && value > opt.max) throw bad(`must be at most ${opt.max}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('must be true or false');
      return value;
    case 'string':
      if (typeof value !== 'string') throw bad('must be a string');
      if (opt.choices && !opt.choices.includes(value)) throw bad(`must be one of ${opt.choices.join(', ')}`);
      return value;
    case 'string-list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw bad('must be a list of strings');
      return [...value];
  }
}

/**
 * Check a group against the declared options and fill in defaults. Unknown options and values of
 * the wrong type raise {@link InvalidConfig} naming the group, the option and the value.
 */
export function resolveOptions(
  group: string,
  options: readonly ConfigOption[],
  given: Readonly<Record<string, unknown>> = {},
): Record<string, OptionValue> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new InvalidConfig({ group, option: '', reason: 'the group must be an object of options' });
  }
  for (const key of Object.keys(given)) {
    if (!options.some((o) => o.name === key))
      throw new InvalidConfig({ group, option: key, reason: 'unknown option' });
  }
  const out: Record<string, OptionValue> = {};
  for (const opt of options) {
    const value = given[opt.name];
    out[opt.name] = value === undefined ? structuredClone(opt.default) : check(group, opt, value);
  }
  return out;
}

/**
 * The values given for a plugin's group: the group itself, plus options that declare a
 * `deprecatedGroup` and are found only there. The legacy group is not checked as a whole (it is
 * shared by every plugin).
 */
export function gatherGroup(
  config: ConfigGroups | undefined,
  group: string,
  options: readonly ConfigOption[],
): Readonly<Record<string, unknown>> | undefined {
  const own = config?.[group];
  if (own !== undefined && (own === null || typeof own !== 'object' || Array.isArray(own))) return own;
  let merged: Record<string, unknown> | undefined;
  for (const opt of options) {
    if (!opt.deprecatedGroup || own?.[opt.name] !== undefined) continue;
    const legacy = config?.[opt.deprecatedGroup];
    const value = legacy && typeof legacy === 'object' ? legacy[opt.name] : undefined;
    if (value === undefined) continue;
    merged ??= { ...own };
    merged[opt.name] = value;
  }
  return merged ?? own;
}
