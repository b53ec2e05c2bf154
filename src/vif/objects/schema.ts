/**
 * JSON Schema (draft 2020-12) of each class's primitive, generated from the field definitions.
 */
import { UnsupportedObjectError } from '../errors.js';
import { KEY, NAMESPACE } from './base.js';
import type { JsonSchema } from './fields.js';
import { type Field, ListType, ObjectType } from './fields.js';
import { lookupClass, type ObjectClass, registeredClasses } from './registry.js';

function subclassesOf(cls: ObjectClass): ObjectClass[] {
  return registeredClasses().filter((c) => c === cls || c.prototype instanceof cls);
}

function fieldSchema(f: Field): JsonSchema {
  const base = f.type.schema();
  return f.nullable || f.hasDefault ? { anyOf: [base, { type: 'null' }] } : base;
}

function objectRefs(f: Field): ObjectType[] {
  const type = f.type instanceof ListType ? (f.type as ListType<unknown>).element : f.type;
  return type instanceof ObjectType ? [type] : [];
}

/** Schema of one class's envelope (exactly that class). */
function envelope(cls: ObjectClass): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, f] of Object.entries(cls.fields)) properties[name] = fieldSchema(f);
  return {
    type: 'object',
    required: [KEY.name, KEY.namespace, KEY.version, KEY.data],
    properties: {
      [KEY.name]: { const: cls.objName },
      [KEY.namespace]: { const: NAMESPACE },
      [KEY.version]: { type: 'string', pattern: '^\\d+(\\.\\d+)*$' },
      [KEY.data]: { type: 'object', properties },
      [KEY.changes]: { type: 'array', items: { type: 'string' } },
    },
  };
}

/**
 * The JSON Schema of a class's primitive. Nested objects refer to `$defs`; a field that takes
 * subclasses accepts the envelope of any of them. Values are described in their canonical wire
 * form (the loader is a little more lenient, see docs/objects.md).
 */
export function jsonSchema(name: string): JsonSchema {
  const root = lookupClass(name);
  if (!root) throw new UnsupportedObjectError({ objtype: name });
  const defs: Record<string, JsonSchema> = {};
  const visit = (cls: ObjectClass, withSubclasses: boolean): void => {
    const key = withSubclasses ? `${cls.objName}-family` : cls.objName;
    if (defs[key]) return;
    const members = withSubclasses ? subclassesOf(cls) : [cls];
    defs[key] = {};
    const variants = members.map((m) => {
      for (const f of Object.values(m.fields)) {
        for (const ref of objectRefs(f)) visit(lookupClass(ref.objName) as ObjectClass, ref.subclasses);
      }
      return envelope(m);
    });
    defs[key] = variants.length === 1 ? (variants[0] as JsonSchema) : { anyOf: variants };
  };
  visit(root, false);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:os-vif:${root.objName}`,
    $ref: `#/$defs/${root.objName}`,
    $defs: defs,
  };
}
