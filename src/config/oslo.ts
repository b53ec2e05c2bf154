/**
 * The values of declared options in oslo.config files, found and converted as oslo.config does
 * it: the last file that names an option wins, and inside one file its last occurrence; an
 * option's own group is looked up before its deprecated group (os-vif declares `[DEFAULT]`
 * aliases such as `network_device_mtu`), in each file in turn; a multi-valued option collects
 * every occurrence from every file, in order. `$name`, `${name}` and `${group.name}` are
 * substituted from other options (`$$` and `\$` for a dollar sign), then the text is converted by
 * the option's type with oslo.config's rules. `--set`-style overrides beat every file.
 */
import type { ConfigGroups, ConfigOption, OptionValue } from '../vif/index.js';
import { type IniSections, normalizeSection } from './ini.js';

/** A value in a file (or an override) that its option's type rejects, or a bad substitution. */
export class ConfigFileValueError extends Error {
  constructor(
    readonly group: string,
    readonly option: string,
    readonly reason: string,
  ) {
    super(`Value for option ${option} in group [${group}] is not valid: ${reason}`);
    this.name = 'ConfigFileValueError';
  }
}

/** Declared options by group (`{ os_vif_ovs: OVS_OPTIONS, ... }`). */
export type DeclaredGroups = Readonly<Record<string, readonly ConfigOption[]>>;

/** The text values of one option given outside the files, e.g. by `--set group.option=value`. */
export interface ConfigOverride {
  group: string;
  option: string;
  value: string;
}

/** Everything an option's value can come from, earliest file first. */
export interface OsloSources {
  files: readonly IniSections[];
  overrides?: readonly ConfigOverride[];
}

const TRUE_VALUES = ['true', '1', 'on', 'yes'];
const FALSE_VALUES = ['false', '0', 'off', 'no'];
/** string.Template's pattern with oslo.config's idpattern (and Template's IGNORECASE). */
const TEMPLATE = /\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\}|())/giu;
const MAX_DEPTH = 16;

/**
 * The typed values of every declared option that the sources set (options they do not set are
 * absent, so their defaults apply), by group. Throws {@link ConfigFileValueError}.
 */
export function readOsloOptions(declared: DeclaredGroups, sources: OsloSources): ConfigGroups {
  const reader = new OptionReader(declared, sources);
  const out: Record<string, Record<string, OptionValue>> = {};
  for (const [group, options] of Object.entries(declared)) {
    const values: Record<string, OptionValue> = {};
    for (const opt of options) {
      const value = reader.value(group, opt, 0);
      if (value !== undefined) values[opt.name] = value;
    }
    out[group] = values;
  }
  return out;
}

class OptionReader {
  constructor(
    private readonly declared: DeclaredGroups,
    private readonly sources: OsloSources,
  ) {}

  /** The converted value of `opt` in `group`, or undefined when nothing sets it. */
  value(group: string, opt: ConfigOption, depth: number): OptionValue | undefined {
    const raw = this.raw(group, opt);
    if (raw === undefined) return undefined;
    const text = raw.map((r) => this.substitute(group, opt.name, r, depth));
    return convert(group, opt, text);
  }

  private raw(group: string, opt: ConfigOption): string[] | undefined {
    const multi = opt.type === 'string-list';
    const set = (this.sources.overrides ?? [])
      .filter((o) => o.group === group && o.option === opt.name)
      .map((o) => o.value);
    if (set.length > 0) return multi ? set : set.slice(-1);
    const names = [normalizeSection(group)];
    if (opt.deprecatedGroup !== undefined) names.push(normalizeSection(opt.deprecatedGroup));
    let collected: string[] | undefined;
    for (const file of [...this.sources.files].reverse()) {
      for (const section of names) {
        const found = file.get(section)?.get(opt.name);
        if (found === undefined) continue;
        if (!multi) return found.slice(-1);
        collected = [...found, ...(collected ?? [])];
      }
    }
    return collected;
  }

  private substitute(group: string, option: string, text: string, depth: number): string {
    const bad = (reason: string) => new ConfigFileValueError(group, option, reason);
    if (depth > MAX_DEPTH) throw bad('template substitution nests too deeply (a reference cycle?)');
    return text
      .replaceAll('\\$', () => '$$')
      .replace(TEMPLATE, (match, _dollar, bare, braced) => {
        const key = (bare ?? braced) as string | undefined;
        if (_dollar !== undefined) return '$';
        if (key === undefined) return match;
        return pyStr(this.lookup(group, key, depth + 1, bad));
      });
  }

  /** `${group.name}` or `$name` (the same group, then `[DEFAULT]`), as StrSubWrapper does. */
  private lookup(
    group: string,
    key: string,
    depth: number,
    bad: (reason: string) => Error,
  ): OptionValue | undefined {
    const dot = key.indexOf('.');
    const candidates: [string, string][] =
      dot > 0 ? [[key.slice(0, dot), key.slice(dot + 1)]] : [[group, key]];
    candidates.push(['DEFAULT', key]);
    for (const [g, name] of candidates) {
      const opt = this.declared[g]?.find((o) => o.name === name);
      if (opt) return this.value(g, opt, depth) ?? opt.default;
    }
    // An option this reader does not declare (nova's own `state_path`, say) is taken as the
    // text the files give it, as the service that declares it would read a string option.
    for (const [g, name] of candidates) {
      const text = this.raw(g, { name, type: 'string', default: null, help: '' });
      if (text !== undefined) return this.substitute(g, name, text[0] ?? '', depth);
    }
    throw bad(`cannot substitute $${key}: no such option`);
  }
}

function convert(group: string, opt: ConfigOption, text: string[]): OptionValue {
  const bad = (reason: string) => new ConfigFileValueError(group, opt.name, reason);
  const one = text[text.length - 1] ?? '';
  switch (opt.type) {
    case 'string-list':
      return text;
    case 'string':
      if (opt.choices && !opt.choices.includes(one))
        throw bad(`Valid values are [${opt.choices.join(', ')}], but found ${pyRepr(one)}`);
      return one;
    case 'boolean':
      if (TRUE_VALUES.includes(one.toLowerCase())) return true;
      if (FALSE_VALUES.includes(one.toLowerCase())) return false;
      throw bad(`Unexpected boolean value ${pyRepr(one)}`);
    case 'integer': {
      const s = one.trim();
      if (s === '') return null;
      if (!/^[+-]?\d+(?:_\d+)*$/u.test(s))
        throw bad(`invalid literal for int() with base 10: ${pyRepr(one)}`);
      const n = Number(s.replaceAll('_', ''));
      if (!Number.isSafeInteger(n)) throw bad(`${s} is out of range`);
      return n;
    }
  }
}

/** Python's str() of a value, as string.Template writes it. */
function pyStr(value: OptionValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return String(value);
}

function pyRepr(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll("'", "\\'")}'`;
}
