/**
 * The versioned-object framework: oslo.versionedobjects semantics as os-vif uses them.
 *
 * A field is unset (absent from the primitive), set, or set to `null`. Every assignment marks the
 * field changed; an object whose nested object has changes lists that field too. `toPrimitive`
 * writes the wire envelope, backporting to an older version with the per-class rules;
 * {@link loadPrimitive} reads any registered class from its envelope.
 */
import {
  IncompatibleObjectVersion,
  InvalidTargetVersion,
  ObjectActionError,
  ObjectFieldNotSet,
  ObjectKeyError,
  ObjectTypeError,
  ObjectValueError,
  show,
  UnsupportedObjectError,
} from '../errors.js';
import { type Field, type FieldContext, type FieldMap, ListType, ObjectType, pyTypeName } from './fields.js';
import { pyRepr } from './pyrepr.js';
import { lookupClass, type ObjectClass, registerClass } from './registry.js';
import { compareTuples, isCompatible, parseTarget } from './version.js';

/** The namespace of every os-vif object. */
export const NAMESPACE = 'os_vif';

/** Envelope keys. */
export const KEY = {
  name: 'versioned_object.name',
  namespace: 'versioned_object.namespace',
  version: 'versioned_object.version',
  data: 'versioned_object.data',
  changes: 'versioned_object.changes',
} as const;

/** The wire form of an object (`obj_to_primitive()`). */
export interface Primitive {
  'versioned_object.name': string;
  'versioned_object.namespace': string;
  'versioned_object.version': string;
  'versioned_object.data': Record<string, unknown>;
  'versioned_object.changes'?: string[];
}

/** Target versions of named classes, for `toPrimitive(target, manifest)`. */
export type VersionManifest = Readonly<Record<string, string>>;

/** The field properties of an object type (members that are neither methods nor `obj*`). */
export type FieldsOf<T> = {
  [K in keyof T as K extends `obj${string}`
    ? never
    : T[K] extends (...args: never[]) => unknown
      ? never
      : K]: T[K];
};

/** Constructor argument of an object type: any subset of its fields. */
export type Init<T> = { [K in keyof FieldsOf<T>]?: FieldsOf<T>[K] };

/** Names of the fields of an object type. */
export type FieldName<T> = keyof FieldsOf<T> & string;

type Relationships = ObjectClass['relationships'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const DATA = Symbol('data');
const CHANGED = Symbol('changed');
const NO_CHANGES: readonly string[] = Object.freeze([]);

/** Per-class lookup tables, computed once. */
interface ClassMeta {
  /** `[name, field, error context, slot]` in declaration order (Python's key order in `data`). */
  readonly list: readonly (readonly [string, Field, FieldContext, number])[];
  /** Names sorted (the order of the emitted `changes` list). */
  readonly sorted: readonly string[];
  /**
   * Slot of each field in the value array (its bit in the change mask is `1 << slot`), as a
   * prototype-less object so that any wire string can be looked up safely.
   */
  readonly slotOf: Readonly<Record<string, number>>;
  /** Constructor defaults as `[slot, name, factory]` (Network). */
  readonly defaults: readonly (readonly [number, string, () => unknown])[];
}

const META = Symbol('meta');

function meta(cls: ObjectClass): ClassMeta {
  const holder = cls as unknown as { [META]?: ClassMeta };
  let m = Object.hasOwn(holder, META) ? holder[META] : undefined;
  if (!m) {
    const names = Object.keys(cls.fields);
    if (names.length > 30) throw new Error(`${cls.objName}: too many fields for the change mask`);
    m = {
      list: names.map(
        (n, i) => [n, cls.fields[n] as Field, Object.freeze({ objName: cls.objName, field: n }), i] as const,
      ),
      sorted: [...names].sort(),
      slotOf: Object.assign(
        Object.create(null) as Record<string, number>,
        ...names.map((n, i) => ({ [n]: i })),
      ),
      defaults: Object.entries(cls.constructorDefaults ?? {}).map(
        ([n, make]) => [names.indexOf(n), n, make] as const,
      ),
    };
    Object.defineProperty(holder, META, { value: m });
  }
  return m;
}

/** Base class of every os-vif object. Fields are accessor properties named as on the wire. */
export abstract class VersionedObject {
  /** Wire name of the class. */
  static readonly objName: string = 'VersionedObject';
  /** Current version of the class. */
  static readonly VERSION: string = '1.0';
  /** Fields (inherited first), in declaration order. */
  static readonly fields: FieldMap = {};
  /** Backport relationships: field → `[parentVersion, childVersion]` pairs. */
  static readonly relationships: Relationships = {};
  /** A `*List` class (adds `OrderedDict()` to its fingerprint). */
  static readonly isList: boolean = false;
  /** `str()` prints the primitive as a Python dict literal. */
  static readonly printsPrimitive: boolean = false;

  /** Wire name of this object's class (narrowed to literals by each class). */
  declare readonly objName: string;
  /** Version this object claims: its class's, or the version it was loaded at (kept verbatim). */
  declare objVersion: string;
  /** Field values by slot (see {@link ClassMeta}); `undefined` means unset. */
  declare private [DATA]: unknown[];
  /** Changed fields as a bit mask over the class's fields. */
  declare private [CHANGED]: number;

  constructor(init: object = {}) {
    const cls = new.target as unknown as ObjectClass;
    const m = meta(cls);
    this.objVersion = cls.VERSION;
    this[DATA] = new Array<unknown>(m.list.length).fill(undefined);
    this[CHANGED] = 0;
    const given = init as Record<string, unknown>;
    for (const [, name, make] of m.defaults) if (given[name] === undefined) this.objSet(name, make());
    for (const [k, v] of Object.entries(given)) if (v !== undefined) this.objSet(k, v);
  }

  /** This object's class statics. */
  objClass(): ObjectClass {
    return this.constructor as ObjectClass;
  }

  private slotOf(name: string): number {
    const slot = meta(this.objClass()).slotOf[name];
    if (slot === undefined) {
      throw new ObjectTypeError(`${this.objName} has no field ${name}`, {
        objName: this.objName,
        field: name,
      });
    }
    return slot;
  }

  private nullValue(name: string, f: Field): unknown {
    if (f.nullable) return null;
    if (f.hasDefault) return f.type.coerce(f.default, { objName: this.objName, field: name });
    throw new ObjectValueError(`Field \`${name}' cannot be None`, {
      objName: this.objName,
      field: name,
      value: null,
    });
  }

  /** Assign a field (coerced as on load) and mark it changed. `null` on a non-nullable field stores its default. */
  objSet<K extends FieldName<this>>(name: K, value: this[K]): void;
  objSet(name: string, value: unknown): void;
  objSet(name: string, value: unknown): void {
    const slot = this.slotOf(name);
    const entry = meta(this.objClass()).list[slot] as readonly [string, Field, FieldContext, number];
    this[DATA][slot] =
      value === null ? this.nullValue(name, entry[1]) : entry[1].type.coerce(value, entry[2]);
    this[CHANGED] |= 1 << slot;
  }

  /** The value of a field, or `undefined` when it is unset. */
  objGet<K extends FieldName<this>>(name: K): this[K] | undefined;
  objGet(name: string): unknown;
  objGet(name: string): unknown {
    const slot = meta(this.objClass()).slotOf[name];
    return slot === undefined ? undefined : this[DATA][slot];
  }

  /** The value of a set field; reading an unset field throws {@link ObjectFieldNotSet}, as Python does. */
  objRequire(name: string): unknown {
    const v = this.objGet(name);
    if (v === undefined) {
      throw new ObjectFieldNotSet(`Cannot load '${name}' in the base class`, {
        objName: this.objName,
        field: name,
      });
    }
    return v;
  }

  /** Read a field by slot (used by the field accessors); throws when unset. */
  static objReadSlot(obj: VersionedObject, slot: number, name: string): unknown {
    const v = obj[DATA][slot];
    if (v === undefined) {
      throw new ObjectFieldNotSet(`Cannot load '${name}' in the base class`, {
        objName: obj.objName,
        field: name,
      });
    }
    return v;
  }

  /** Is the field set (possibly to `null`)? */
  objAttrIsSet(name: FieldName<this> | string): boolean {
    return this.objGet(name) !== undefined;
  }

  /** Make a field unset again (it leaves the primitive and the changed set). */
  objUnset(name: FieldName<this> | string): void {
    const slot = this.slotOf(name);
    this[DATA][slot] = undefined;
    this[CHANGED] &= ~(1 << slot);
  }

  /** Store each named field's default (all defaulted fields when none are named), as `obj_set_defaults`. */
  objSetDefaults(...names: string[]): void {
    const fields = this.objClass().fields;
    const list = names.length > 0 ? names : Object.keys(fields).filter((n) => fields[n]?.hasDefault);
    for (const n of list) {
      const f = fields[n];
      if (!f?.hasDefault) {
        throw new ObjectValueError(`No default set for field ${n}`, { objName: this.objName, field: n });
      }
      this.objSet(n, f.default);
    }
  }

  private fieldChanged(slot: number): boolean {
    if ((this[CHANGED] & (1 << slot)) !== 0) return true;
    const v = this[DATA][slot];
    return v instanceof VersionedObject && v.objHasChanges();
  }

  /** Fields changed since construction/load/reset, including fields whose nested object has changes. */
  objWhatChanged(): Set<string> {
    const { sorted, slotOf } = meta(this.objClass());
    return new Set(sorted.filter((name) => this.fieldChanged(slotOf[name] as number)));
  }

  /** Does the object (or a nested object) have changes? */
  objHasChanges(): boolean {
    if (this[CHANGED] !== 0) return true;
    for (const v of this[DATA]) if (v instanceof VersionedObject && v.objHasChanges()) return true;
    return false;
  }

  /** Forget changes (of the named fields, or all); `recursive` also resets nested objects. */
  objResetChanges(fields?: readonly string[], recursive = false): void {
    for (const [name, , , slot] of meta(this.objClass()).list) {
      if (fields && !fields.includes(name)) continue;
      this[CHANGED] &= ~(1 << slot);
      if (!recursive) continue;
      const v = this[DATA][slot];
      if (v instanceof VersionedObject) v.objResetChanges(undefined, true);
      else if (Array.isArray(v))
        for (const e of v) if (e instanceof VersionedObject) e.objResetChanges(undefined, true);
    }
  }

  /**
   * The wire form. With `targetVersion` older than the object's, the class's backport rules edit
   * the data (fields removed, nested objects relabelled); a newer target is an `InvalidTargetVersion`.
   * With a `manifest`, nested objects are backported to the manifest's version of their declared class.
   */
  toPrimitive(targetVersion?: string, manifest?: VersionManifest): Primitive {
    const own = this.objVersion;
    const target = targetVersion ?? own;
    if (target !== own && compareTuples(parseTarget(target), parseTarget(own)) > 0) {
      throw new InvalidTargetVersion({ version: target });
    }
    const data: Record<string, unknown> = {};
    const { list, sorted, slotOf } = meta(this.objClass());
    const values = this[DATA];
    for (let i = 0; i < list.length; i++) {
      const v = values[i];
      if (v === undefined) continue;
      const entry = list[i] as readonly [string, Field, FieldContext, number];
      data[entry[0]] = v === null ? null : entry[1].type.toPrimitive(v);
    }
    if (target !== own || manifest) this.objMakeCompatible(data, target, manifest);
    const prim = {
      [KEY.name]: this.objName,
      [KEY.namespace]: NAMESPACE,
      [KEY.version]: target,
      [KEY.data]: data,
    } as Primitive;
    const changes: string[] = [];
    for (const name of sorted) {
      if (name in data && this.fieldChanged(slotOf[name] as number)) changes.push(name);
    }
    if (changes.length > 0) prim[KEY.changes] = changes;
    return prim;
  }

  /**
   * Edit a primitive's `data` for an older `targetVersion` (oslo's `obj_make_compatible`). The
   * default backports each set object field through the class's relationships; classes with
   * history override it and call up with their base-class version.
   */
  protected objMakeCompatible(
    data: Record<string, unknown>,
    targetVersion: string,
    manifest?: VersionManifest,
  ): void {
    const fields = this.objClass().fields;
    for (const name in fields) {
      const type = (fields[name] as Field).type;
      const isObj =
        type instanceof ObjectType || (type instanceof ListType && type.element instanceof ObjectType);
      if (!isObj || !this.objAttrIsSet(name)) continue;
      this.makeFieldCompatible(data, targetVersion, name, manifest);
    }
  }

  private relationshipFor(
    name: string,
    target: string,
    manifest?: VersionManifest,
  ): readonly (readonly [string, string])[] | undefined {
    if (!manifest) {
      const rel = this.objClass().relationships[name];
      if (!rel) throw new ObjectActionError({ action: 'obj_make_compatible', reason: `No rule for ${name}` });
      return rel;
    }
    const type = (this.objClass().fields[name] as Field).type;
    const objName =
      type instanceof ObjectType ? type.objName : ((type as ListType<unknown>).element as ObjectType).objName;
    const version = manifest[objName];
    return version === undefined ? undefined : [[target, version]];
  }

  private makeFieldCompatible(
    data: Record<string, unknown>,
    target: string,
    name: string,
    manifest?: VersionManifest,
  ): void {
    const rels = this.relationshipFor(name, target, manifest);
    if (!rels || rels.length === 0) return;
    const tgt = parseTarget(target);
    for (let i = 0; i < rels.length; i++) {
      const cmp = compareTuples(tgt, parseTarget((rels[i] as readonly [string, string])[0]));
      if (cmp < 0) {
        if (i === 0) delete data[name];
        else this.backportChild(data, name, (rels[i - 1] as readonly [string, string])[1], manifest);
        return;
      }
      if (cmp === 0) {
        this.backportChild(data, name, (rels[i] as readonly [string, string])[1], manifest);
        return;
      }
    }
  }

  private backportChild(
    data: Record<string, unknown>,
    name: string,
    to: string,
    manifest?: VersionManifest,
  ): void {
    const value = this.objGet(name);
    const backport = (child: VersionedObject, prim: unknown) => {
      const env = prim as Record<string, unknown>;
      child.objMakeCompatible(env[KEY.data] as Record<string, unknown>, to, manifest);
      env[KEY.version] = to;
    };
    // Python indexes the primitive per element, so an empty list never misses its key.
    const needsData = value instanceof VersionedObject || (Array.isArray(value) && value.length > 0);
    if (needsData && !(name in data))
      throw new ObjectKeyError(`'${name}'`, { objName: this.objName, field: name });
    if (value instanceof VersionedObject) backport(value, data[name]);
    else if (Array.isArray(value)) {
      const list = data[name] as unknown[];
      value.forEach((child, i) => {
        backport(child as VersionedObject, list[i]);
      });
    }
  }

  /** Same class and same primitive (changes included), as os-vif's comparable objects. */
  equals(other: unknown): boolean {
    return (
      other instanceof VersionedObject &&
      other.objName === this.objName &&
      JSON.stringify(this.toPrimitive()) === JSON.stringify(other.toPrimitive())
    );
  }

  /** Python's `str(obj)`: `Class(f1=v1,…)` with fields sorted, or the primitive as a dict for host info. */
  toString(): string {
    const cls = this.objClass();
    if (cls.printsPrimitive) return pyRepr(this.toPrimitive());
    const parts = Object.keys(cls.fields)
      .sort()
      .map((name) => {
        const v = this.objGet(name);
        if (v === undefined) return `${name}=<?>`;
        return `${name}=${v === null ? 'None' : (cls.fields[name] as Field).type.stringify(v)}`;
      });
    return `${this.objName}(${parts.join(',')})`;
  }

  /** JSON.stringify writes the primitive. */
  toJSON(): Primitive {
    return this.toPrimitive();
  }

  /** Fill a fresh instance from a primitive's data and changes (used by the loader). */
  static objLoad(
    obj: VersionedObject,
    cls: ObjectClass,
    version: string,
    data: Record<string, unknown>,
    changes: readonly unknown[],
  ): void {
    const m = meta(cls);
    const values = new Array<unknown>(m.list.length).fill(undefined);
    obj.objVersion = version;
    obj[DATA] = values;
    obj[CHANGED] = 0;
    const list = m.list;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as readonly [string, Field, FieldContext, number];
      const raw = data[entry[0]];
      // Field names are never Object.prototype members (checked at registration), so no own-key check.
      if (raw === undefined) continue;
      values[i] =
        raw === null
          ? obj.nullValue(entry[0], entry[1])
          : entry[1].type.fromPrimitive(raw, entry[2], loadPrimitive);
    }
    // Python builds an empty instance first, so its constructor defaults fill what data lacks.
    for (const [slot, name, make] of m.defaults) if (values[slot] === undefined) obj.objSet(name, make());
    let mask = 0;
    for (let i = 0; i < changes.length; i++) {
      const n = changes[i];
      const slot = typeof n === 'string' ? m.slotOf[n] : undefined;
      if (slot !== undefined) mask |= 1 << slot;
    }
    obj[CHANGED] = mask;
  }
}

/**
 * Register a class: installs one accessor per field (reading an unset field throws, assigning
 * coerces and marks the field changed) and adds the class to the registry.
 */
export function registerObject<C extends ObjectClass>(cls: C): C {
  for (const [name, , , slot] of meta(cls).list) {
    if (name in Object.prototype)
      throw new Error(`${cls.objName}: field name ${name} shadows Object.prototype`);
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: VersionedObject) {
        return VersionedObject.objReadSlot(this, slot, name);
      },
      set(this: VersionedObject, v: unknown) {
        this.objSet(name, v);
      },
    });
  }
  Object.defineProperty(cls.prototype, 'objName', { value: cls.objName, configurable: true });
  registerClass(cls);
  return cls;
}

/** Read any registered object from its primitive (oslo's `obj_from_primitive`). */
export function loadPrimitive(primitive: unknown): VersionedObject {
  if (!isPlainObject(primitive)) {
    throw new ObjectTypeError(
      `A versioned object primitive must be a JSON object, not a ${pyTypeName(primitive)}`,
      {
        value: primitive,
      },
    );
  }
  const ns = primitive[KEY.namespace];
  const name = primitive[KEY.name];
  const version = primitive[KEY.version];
  if (ns === undefined || name === undefined || version === undefined) {
    const key = ns === undefined ? KEY.namespace : name === undefined ? KEY.name : KEY.version;
    throw new ObjectKeyError(`'${key}'`, { value: primitive });
  }
  if (typeof name !== 'string')
    throw new ObjectTypeError(`Object name must be a string, not a ${pyTypeName(name)}`);
  if (ns !== NAMESPACE) throw new UnsupportedObjectError({ objtype: `${show(ns)}.${name}` });
  const cls = lookupClass(name);
  if (!cls) throw new UnsupportedObjectError({ objtype: name });
  if (typeof version !== 'string') {
    throw new ObjectTypeError(`Object version must be a string, not a ${pyTypeName(version)}`);
  }
  if (version !== cls.VERSION && !isCompatible(version, cls.VERSION)) {
    throw new IncompatibleObjectVersion({ objver: version, objname: name, supported: cls.VERSION });
  }
  const data = primitive[KEY.data];
  if (data === undefined) throw new ObjectKeyError(`'${KEY.data}'`, { value: primitive });
  if (!isPlainObject(data)) {
    throw new ObjectTypeError(`${name} data must be a JSON object, not a ${pyTypeName(data)}`, {
      objName: name,
    });
  }
  const changes = primitive[KEY.changes] ?? NO_CHANGES;
  if (!Array.isArray(changes)) {
    throw new ObjectTypeError(`${name} changes must be a list, not a ${pyTypeName(changes)}`, {
      objName: name,
    });
  }
  // An empty instance, without running the constructors (the loader applies constructor defaults).
  const obj = Object.create(cls.prototype) as VersionedObject;
  VersionedObject.objLoad(obj, cls, version, data, changes);
  return obj;
}
