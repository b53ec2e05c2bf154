/**
 * The object registry: every versioned-object class by its wire name.
 */
import type { VersionedObject } from './base.js';
import type { FieldMap } from './fields.js';

/** What the framework needs from a registered class (its statics). */
export interface ObjectClass<T extends VersionedObject = VersionedObject> {
  new (init?: never): T;
  /** Wire name, e.g. `VIFOpenVSwitch`. */
  readonly objName: string;
  /** Current version, e.g. `1.0`. */
  readonly VERSION: string;
  /** Every field, inherited ones first, in declaration order. */
  readonly fields: FieldMap;
  /** Backport table: field → ordered `[parentVersion, childVersion]` pairs. */
  readonly relationships: Readonly<Record<string, readonly (readonly [string, string])[]>>;
  /** A `*List` class (one `objects` field; backports its elements to 1.0). */
  readonly isList: boolean;
  /** `str()` prints the primitive as a Python dict (the host-info classes). */
  readonly printsPrimitive: boolean;
  /** Defaults the Python constructor fills in when they are not given (Network): field → factory. */
  readonly constructorDefaults?: Readonly<Record<string, () => unknown>>;
}

const classes = new Map<string, ObjectClass>();

/** Register a class under its wire name (one version per name, as os-vif has). */
export function registerClass(cls: ObjectClass): void {
  if (classes.has(cls.objName)) throw new Error(`object class ${cls.objName} is already registered`);
  classes.set(cls.objName, cls);
}

/** The registered class of this name, if any. */
export function lookupClass(name: string): ObjectClass | undefined {
  return classes.get(name);
}

/** Every registered class, sorted by name. */
export function registeredClasses(): ObjectClass[] {
  return [...classes.values()].sort((a, b) => (a.objName < b.objName ? -1 : a.objName > b.objName ? 1 : 0));
}
