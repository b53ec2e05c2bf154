/**
 * Fingerprints: `VERSION-md5(preimage)`, computed exactly as oslo's ObjectVersionChecker, so a
 * field change without a version bump changes the hash.
 */
import { createHash } from 'node:crypto';
import type { Field } from './fields.js';
import type { ObjectClass } from './registry.js';
import { registeredClasses } from './registry.js';

const UNSPECIFIED = "<class 'oslo_versionedobjects.fields.UnspecifiedDefault'>";

function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/** The `repr()` oslo gives a field: `Type(default=D,nullable=N[,valid_values=(…)])`. */
export function fieldRepr(f: Field): string {
  let dflt = UNSPECIFIED;
  if (f.hasDefault)
    dflt =
      f.default === null ? 'None' : typeof f.default === 'boolean' ? pyBool(f.default) : String(f.default);
  return `${f.type.name}(default=${dflt},nullable=${pyBool(f.nullable)}${f.type.reprExtra})`;
}

/** The exact string that is hashed for a class. */
export function fingerprintPreimage(cls: ObjectClass): string {
  const names = Object.keys(cls.fields).sort();
  const fields = names.map((n) => `('${n}', ${fieldRepr(cls.fields[n] as Field)})`).join(', ');
  return `([${fields}], []${cls.isList ? ', OrderedDict()' : ''})`;
}

/** `VERSION-md5` of a class. */
export function fingerprint(cls: ObjectClass): string {
  return `${cls.VERSION}-${createHash('md5').update(fingerprintPreimage(cls), 'utf8').digest('hex')}`;
}

/** Fingerprints of every registered class, by name. */
export function fingerprints(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const cls of registeredClasses()) out[cls.objName] = fingerprint(cls);
  return out;
}
