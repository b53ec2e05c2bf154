/**
 * oslo.config's INI dialect, parsed exactly as `oslo_config.iniparser` and `cfg.ConfigParser`
 * do: `key = value` or `key: value` (whichever separator comes first), one pair of matching
 * quotes around a value dropped, lines that start with a space or a tab continuing the value
 * before them (joined with a newline), `#` and `;` comment lines, a blank line ending a value,
 * and every occurrence of a key kept in order (multi-valued options read them all).
 */

/** A problem in a file's syntax, with the file and line oslo.config would name. */
export class ConfigFileParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly text: string,
  ) {
    super(`${file}: at line ${line}, ${reason}: ${JSON.stringify(text)}`);
    this.name = 'ConfigFileParseError';
  }
}

/** One parsed file: section name (as oslo.config normalizes it) -> key -> every value given. */
export type IniSections = Map<string, Map<string, string[]>>;

/** A section's name as oslo.config looks it up: lower case, except `DEFAULT` itself. */
export function normalizeSection(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** Parses the text of one file (named `file` in errors). */
export function parseIni(text: string, file: string): IniSections {
  const sections: IniSections = new Map();
  let section: Map<string, string[]> | undefined;
  let key: string | undefined;
  let value: string[] = [];
  let lineNo = 0;
  const fail = (reason: string, line: string): never => {
    throw new ConfigFileParseError(file, lineNo, reason, line);
  };
  const flush = () => {
    if (key === undefined) return;
    if (!section) fail('Section must be started before assignment', '');
    const values = section?.get(key) ?? [];
    values.push(value.join('\n'));
    section?.set(key, values);
    key = undefined;
    value = [];
  };
  // Python reads text files with universal newlines: '\r\n', '\r' and '\n' all end a line.
  for (const raw of text.split(/\r\n|\r|\n/u)) {
    lineNo += 1;
    const line = raw.replace(/\s+$/u, '');
    if (line === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (key === undefined) fail('Unexpected continuation line', line);
      value.push(line.replace(/^\s+/u, ''));
      continue;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail('Invalid section (must end with ])', line);
      if (line.length <= 2) fail('Empty section name', line);
      const name = normalizeSection(line.slice(1, -1));
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
    } else if (!line.startsWith('#') && !line.startsWith(';')) {
      [key, value] = splitKeyValue(line, fail);
    }
  }
  flush();
  return sections;
}

function splitKeyValue(line: string, fail: (reason: string, line: string) => never): [string, string[]] {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) fail("No ':' or '=' found in assignment", line);
  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  const key = line.slice(0, at).trim();
  let value = line.slice(at + 1).trim();
  if (value !== '' && value[0] === value[value.length - 1] && (value[0] === '"' || value[0] === "'"))
    value = value.slice(1, -1);
  if (key === '') fail('Key cannot be empty', line);
  return [key, [value]];
}
