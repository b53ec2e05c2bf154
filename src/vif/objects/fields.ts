/**
 * Field types: how each value is checked and normalised on assignment and on load, how it is
 * written to a primitive, printed in `str()`, and described in JSON Schema.
 *
 * The accepted inputs follow oslo.versionedobjects where its behaviour is sound, and are stricter
 * where it is a bug (see docs/objects.md, "Lenient inputs").
 */
import { ObjectTypeError, ObjectValueError, show } from '../errors.js';
import type { VersionedObject } from './base.js';
import { canonicalIp, canonicalNetwork } from './ip.js';
import { pyRepr } from './pyrepr.js';
import { lookupClass } from './registry.js';

/** Where a value is being set: for error messages. */
export interface FieldContext {
  readonly objName: string;
  readonly field: string;
}

/** Loads a nested primitive through the full loader (envelope, registry, version). */
export type Loader = (primitive: unknown) => VersionedObject;

/** A JSON Schema fragment. */
export type JsonSchema = { [key: string]: unknown };

/** One field type (oslo's FieldType). */
export interface FieldType<T = unknown> {
  /** The type name in fingerprints and `repr` (`String`, `MACAddress`, an enum's class name…). */
  readonly name: string;
  /** Extra `repr` keyword arguments after `nullable` (`,valid_values=(…)` for enums). */
  readonly reprExtra: string;
  /** Check and normalise a value being assigned. */
  coerce(value: unknown, ctx: FieldContext): T;
  /** Read a wire value (nested envelopes go through `load`), then coerce it. */
  fromPrimitive(value: unknown, ctx: FieldContext, load: Loader): T;
  /** The wire form of a (coerced) value. */
  toPrimitive(value: T): unknown;
  /** The value as Python's `str(obj)` shows it. */
  stringify(value: T): string;
  /** JSON Schema of the wire form. */
  schema(): JsonSchema;
}

/** A field of a class: its type, nullability and default. */
export interface Field<T = unknown> {
  readonly type: FieldType<T>;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  readonly default?: T;
}

/** Fields of a class by wire name. */
export type FieldMap = Readonly<Record<string, Field>>;

/** Python's `type(value).__name__` for a JSON value, used in messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  const ctor = (value as { constructor?: { objName?: string } }).constructor;
  return ctor?.objName ?? 'dict';
}

function valueError(detail: string, ctx: FieldContext, value: unknown): ObjectValueError {
  return new ObjectValueError(detail, { objName: ctx.objName, field: ctx.field, value });
}

function typeError(detail: string, ctx: FieldContext, value: unknown): ObjectTypeError {
  return new ObjectTypeError(detail, { objName: ctx.objName, field: ctx.field, value });
}

/** Base for scalar types: loading is coercion. */
abstract class Scalar<T> implements FieldType<T> {
  abstract readonly name: string;
  readonly reprExtra: string = '';
  abstract coerce(value: unknown, ctx: FieldContext): T;
  fromPrimitive(value: unknown, ctx: FieldContext): T {
    return this.coerce(value, ctx);
  }
  toPrimitive(value: T): unknown {
    return value;
  }
  stringify(value: T): string {
    return String(value);
  }
  abstract schema(): JsonSchema;
}

/** Text. Numbers are accepted and written in decimal (as Python's `str()`); booleans are not. */
export class StringType extends Scalar<string> {
  readonly name: string = 'String';
  coerce(value: unknown, ctx: FieldContext): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw valueError(`A string is required in field ${ctx.field}, not a ${pyTypeName(value)}`, ctx, value);
  }
  override stringify(value: string): string {
    return `'${value}'`;
  }
  schema(): JsonSchema {
    return { type: 'string' };
  }
}

/** One of a fixed set of strings, compared exactly. */
export class EnumType extends StringType {
  override readonly name: string;
  override readonly reprExtra: string;
  constructor(
    enumName: string,
    readonly values: readonly string[],
  ) {
    super();
    this.name = enumName;
    const tuple = values.length === 1 ? `'${values[0]}',` : values.map((v) => `'${v}'`).join(', ');
    this.reprExtra = `,valid_values=(${tuple})`;
  }
  override coerce(value: unknown, ctx: FieldContext): string {
    if (typeof value !== 'string' || !this.values.includes(value)) {
      throw valueError(`Field value ${show(value)} is invalid`, ctx, value);
    }
    return value;
  }
  override schema(): JsonSchema {
    return { type: 'string', enum: [...this.values] };
  }
}

const UUID_HEX = /^[0-9a-fA-F]{32}$/;
const UUID_CANONICAL = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A UUID in any form Python's `uuid.UUID()` reads; stored verbatim (no case or dash change). */
export class UUIDType extends Scalar<string> {
  readonly name = 'UUID';
  coerce(value: unknown, ctx: FieldContext): string {
    if (typeof value === 'string') {
      if (UUID_CANONICAL.test(value)) return value;
      const hex = value
        .replace('urn:', '')
        .replace('uuid:', '')
        .replace(/^\{+|\}+$/g, '')
        .replaceAll('-', '');
      if (UUID_HEX.test(hex)) return value;
    }
    throw valueError(`Invalid UUID ${pyRepr(value)}`, ctx, value);
  }
  schema(): JsonSchema {
    return { type: 'string', pattern: '^(urn:)?(uuid:)?\\{*[0-9a-fA-F-]{32,}\\}*$' };
  }
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A MAC address; lower-cased, `-` becomes `:`. */
export class MACAddressType extends Scalar<string> {
  readonly name = 'MACAddress';
  coerce(value: unknown, ctx: FieldContext): string {
    if (typeof value === 'string') {
      if (MAC_RE.test(value)) return value;
      const lowered = value.toLowerCase().replaceAll('-', ':');
      if (MAC_RE.test(lowered)) return lowered;
    }
    throw valueError(`Malformed MAC ${show(value)}`, ctx, value);
  }
  schema(): JsonSchema {
    return { type: 'string', pattern: '^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$' };
  }
}

const PCI_RE = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/** A PCI address `dddd:bb:ss.f`; lower-cased. The `.` must be a dot (Python's regex lets any character pass). */
export class PCIAddressType extends Scalar<string> {
  readonly name = 'PCIAddress';
  coerce(value: unknown, ctx: FieldContext): string {
    if (typeof value === 'string') {
      const lowered = value.toLowerCase();
      if (PCI_RE.test(lowered)) return lowered;
    }
    throw valueError(`Malformed PCI address ${show(value)}`, ctx, value);
  }
  schema(): JsonSchema {
    return { type: 'string', pattern: '^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[01][0-9a-fA-F]\\.[0-7]$' };
  }
}

const INT_TEXT = /^\s*[+-]?\d+\s*$/;

/** An integer. Decimal strings are accepted (`"1450"`); fractions and booleans are not. */
export class IntegerType extends Scalar<number> {
  readonly name = 'Integer';
  coerce(value: unknown, ctx: FieldContext): number {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) return value;
      throw valueError(`An integer is required in field ${ctx.field}, not ${value}`, ctx, value);
    }
    if (typeof value === 'string') {
      const n = INT_TEXT.test(value) ? Number(value) : Number.NaN;
      if (Number.isSafeInteger(n)) return n;
      throw valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`, ctx, value);
    }
    if (typeof value === 'boolean') {
      throw valueError(`An integer is required in field ${ctx.field}, not a bool`, ctx, value);
    }
    throw typeError(
      `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
      ctx,
      value,
    );
  }
  schema(): JsonSchema {
    return { type: 'integer' };
  }
}

/** `true` or `false` only (Python would read the string `"false"` as true). */
export class BooleanType extends Scalar<boolean> {
  readonly name = 'Boolean';
  coerce(value: unknown, ctx: FieldContext): boolean {
    if (typeof value === 'boolean') return value;
    throw valueError(`A boolean is required in field ${ctx.field}, not a ${pyTypeName(value)}`, ctx, value);
  }
  override stringify(value: boolean): string {
    return value ? 'True' : 'False';
  }
  schema(): JsonSchema {
    return { type: 'boolean' };
  }
}

/** An IPv4 or IPv6 address, stored as its canonical text. */
export class IPAddressType extends Scalar<string> {
  readonly name = 'IPAddress';
  coerce(value: unknown, ctx: FieldContext): string {
    const canonical = typeof value === 'string' ? canonicalIp(value) : undefined;
    if (canonical === undefined) {
      throw valueError(`failed to detect a valid IP address from ${pyRepr(value)}`, ctx, value);
    }
    return canonical;
  }
  schema(): JsonSchema {
    return { type: 'string', pattern: '^[0-9a-fA-F:.]+$' };
  }
}

/** An IP network `address/prefix` (host bits kept), stored as its canonical text. */
export class IPNetworkType extends Scalar<string> {
  readonly name = 'IPNetwork';
  coerce(value: unknown, ctx: FieldContext): string {
    const canonical = typeof value === 'string' ? canonicalNetwork(value) : undefined;
    if (canonical === undefined) throw valueError(`invalid IPNetwork ${show(value)}`, ctx, value);
    return canonical;
  }
  schema(): JsonSchema {
    return { type: 'string', pattern: '^[0-9a-fA-F:.]+(/[0-9.]+)?$' };
  }
}

/** A list of values of one type. */
export class ListType<T> implements FieldType<T[]> {
  readonly name = 'List';
  readonly reprExtra = '';
  constructor(readonly element: FieldType<T>) {}
  private requireArray(value: unknown, ctx: FieldContext): unknown[] {
    if (!Array.isArray(value)) {
      throw valueError(`A list is required in field ${ctx.field}, not a ${pyTypeName(value)}`, ctx, value);
    }
    return value;
  }
  coerce(value: unknown, ctx: FieldContext): T[] {
    return this.requireArray(value, ctx).map((v) => this.element.coerce(v, ctx));
  }
  fromPrimitive(value: unknown, ctx: FieldContext, load: Loader): T[] {
    const items = this.requireArray(value, ctx);
    const out = new Array<T>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = this.element.fromPrimitive(items[i], ctx, load);
    return out;
  }
  toPrimitive(value: T[]): unknown {
    return value.map((v) => this.element.toPrimitive(v));
  }
  stringify(value: T[]): string {
    return `[${value.map((v) => this.element.stringify(v)).join(',')}]`;
  }
  schema(): JsonSchema {
    return { type: 'array', items: this.element.schema() };
  }
}

/** A map from strings to values of one type (oslo `Dict`; no os-vif class uses it). */
export class DictType<T> implements FieldType<Record<string, T>> {
  readonly name = 'Dict';
  readonly reprExtra = '';
  constructor(readonly element: FieldType<T>) {}
  private requireObject(value: unknown, ctx: FieldContext): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw valueError(`A dict is required in field ${ctx.field}, not a ${pyTypeName(value)}`, ctx, value);
    }
    return value as Record<string, unknown>;
  }
  coerce(value: unknown, ctx: FieldContext): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(this.requireObject(value, ctx))) out[k] = this.element.coerce(v, ctx);
    return out;
  }
  fromPrimitive(value: unknown, ctx: FieldContext, load: Loader): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(this.requireObject(value, ctx))) {
      out[k] = this.element.fromPrimitive(v, ctx, load);
    }
    return out;
  }
  toPrimitive(value: Record<string, T>): unknown {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.element.toPrimitive(v);
    return out;
  }
  stringify(value: Record<string, T>): string {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${k}=${this.element.stringify(value[k] as T)}`).join(',')}}`;
  }
  schema(): JsonSchema {
    return { type: 'object', additionalProperties: this.element.schema() };
  }
}

/** A nested versioned object of a named class (or, with `subclasses`, any registered subclass). */
export class ObjectType<T extends VersionedObject = VersionedObject> implements FieldType<T> {
  readonly name = 'Object';
  readonly reprExtra = '';
  constructor(
    readonly objName: string,
    readonly subclasses: boolean,
  ) {}
  /** Does the object's class satisfy this field? */
  accepts(value: unknown): value is T {
    if (value === null || typeof value !== 'object') return false;
    if ((value.constructor as { objName?: string }).objName === this.objName) return true;
    const cls = lookupClass(this.objName);
    return this.subclasses && cls !== undefined && value instanceof cls;
  }
  coerce(value: unknown, ctx: FieldContext): T {
    if (!this.accepts(value)) {
      throw valueError(
        `An object of type ${this.objName} is required in field ${ctx.field}, not a ${pyTypeName(value)}`,
        ctx,
        value,
      );
    }
    return value;
  }
  fromPrimitive(value: unknown, ctx: FieldContext, load: Loader): T {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw typeError(
        `An object primitive is required in field ${ctx.field}, not a ${pyTypeName(value)}`,
        ctx,
        value,
      );
    }
    return this.coerce(load(value), ctx);
  }
  toPrimitive(value: T): unknown {
    return value.toPrimitive();
  }
  stringify(value: T): string {
    const fields = (value.constructor as unknown as { fields: FieldMap }).fields;
    const key = 'uuid' in fields ? 'uuid' : 'id' in fields ? 'id' : undefined;
    if (key === undefined) return value.objName;
    const id = value.objGet(key as never) as unknown;
    return `${value.objName}(${id ? String(id) : 'UNKNOWN'})`;
  }
  schema(): JsonSchema {
    return { $ref: `#/$defs/${this.objName}${this.subclasses ? '-family' : ''}` };
  }
}

/** Options of a field: nullable, and a default used when `null` is set on a non-nullable field. */
export interface FieldOptions<T> {
  nullable?: boolean;
  default?: T;
}

/** Build a field. */
export function field<T>(type: FieldType<T>, options: FieldOptions<T> = {}): Field<T> {
  const hasDefault = 'default' in options;
  return {
    type,
    nullable: options.nullable ?? false,
    hasDefault,
    ...(hasDefault ? { default: options.default as T } : {}),
  };
}

/** Shorthands for the field types os-vif uses. */
export const t = {
  string: new StringType(),
  uuid: new UUIDType(),
  mac: new MACAddressType(),
  pci: new PCIAddressType(),
  integer: new IntegerType(),
  boolean: new BooleanType(),
  ipAddress: new IPAddressType(),
  ipNetwork: new IPNetworkType(),
  /** A string from `values`. */
  enum: (name: string, values: readonly string[]) => new EnumType(name, values),
  /** A list of `element`. */
  list: <T>(element: FieldType<T>) => new ListType(element),
  /** A string-keyed dict of `element`. */
  dict: <T>(element: FieldType<T>) => new DictType(element),
  /** An object of class `name` (or of its subclasses). */
  object: <T extends VersionedObject>(name: string, subclasses = false) =>
    new ObjectType<T>(name, subclasses),
} as const;
