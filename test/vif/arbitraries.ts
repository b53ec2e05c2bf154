/**
 * fast-check arbitraries of valid objects of every class, derived from the field definitions.
 */
import fc from 'fast-check';
import { objects } from '../../src/vif/index.js';

const hex2 = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, '0'));
const mac = fc.array(hex2, { minLength: 6, maxLength: 6 }).map((a) => a.join(':'));
const pci = fc
  .tuple(
    fc.integer({ min: 0, max: 0xffff }),
    hex2,
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0, max: 7 }),
  )
  .map(([d, b, s, f]) => `${d.toString(16).padStart(4, '0')}:${b}:${s.toString(16).padStart(2, '0')}.${f}`);
const ip = fc.oneof(fc.ipV4(), fc.ipV6());
const network = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
);
const text = fc.string({ maxLength: 12 });

function valueArb(type: objects.FieldType, depth: number): fc.Arbitrary<unknown> | undefined {
  switch (type.name) {
    case 'String':
      return text;
    case 'UUID':
      return fc.uuid();
    case 'MACAddress':
      return mac;
    case 'PCIAddress':
      return pci;
    case 'Integer':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 });
    case 'Boolean':
      return fc.boolean();
    case 'IPAddress':
      return ip;
    case 'IPNetwork':
      return network;
    case 'List': {
      const element = valueArb((type as unknown as { element: objects.FieldType }).element, depth);
      return element && fc.array(element, { maxLength: 3 });
    }
    case 'Object': {
      if (depth <= 0) return undefined;
      const { objName, subclasses } = type as unknown as { objName: string; subclasses: boolean };
      const root = objects.lookupClass(objName) as objects.ObjectClass;
      const family = subclasses
        ? objects.registeredClasses().filter((c) => c === root || c.prototype instanceof root)
        : [root];
      return fc.oneof(...family.map((c) => objectArb(c, depth - 1)));
    }
    default: {
      const values = (type as unknown as { values?: readonly string[] }).values;
      return values ? fc.constantFrom(...values) : undefined;
    }
  }
}

/** A valid object of `cls`: any subset of its fields set (null where allowed), nested to `depth`. */
export function objectArb(cls: objects.ObjectClass, depth = 3): fc.Arbitrary<objects.VersionedObject> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, f] of Object.entries(cls.fields)) {
    const v = valueArb(f.type, depth);
    if (!v) continue;
    parts[name] = fc.option(f.nullable ? fc.oneof(v, fc.constant(null)) : v, { nil: undefined, freq: 3 });
  }
  return fc.record(parts).map((init) => {
    const obj = new (cls as unknown as new (i: object) => objects.VersionedObject)(init);
    return obj;
  });
}

/** A valid object of any registered class. */
export const anyObject: fc.Arbitrary<objects.VersionedObject> = fc.oneof(
  ...objects.registeredClasses().map((c) => objectArb(c)),
);
