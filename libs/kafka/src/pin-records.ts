import type { AvroSchemaObject } from './serde.js';

const fullName = (name: string, namespace: string | undefined) =>
  name.includes('.') || !namespace ? name : `${namespace}.${name}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `schema` with every definition of a record in `pinned` replaced by that version of it, wherever it is
 * defined (the top level, or inline in a field, an array, a map or a union): how a service built before a
 * change reads and writes. E.g. CookRequest with Order version 1 inside is the CookRequest such a service
 * sends. Records are matched by full name.
 */
export function pinRecords(schema: AvroSchemaObject, pinned: readonly AvroSchemaObject[]): AvroSchemaObject {
  if (pinned.length === 0) return schema;
  const byName = new Map(pinned.map((record) => [fullName(record.name, record.namespace), record]));
  const walk = (type: unknown, namespace: string | undefined): unknown => {
    if (Array.isArray(type)) return type.map((t) => walk(t, namespace));
    if (!isObject(type)) return type;
    if (type.type === 'record' && typeof type.name === 'string') {
      const ns = typeof type.namespace === 'string' ? type.namespace : namespace;
      const replacement = byName.get(fullName(type.name, ns));
      if (replacement) return replacement;
      const fields = (type.fields as Record<string, unknown>[]).map((field) => ({
        ...field,
        type: walk(field.type, ns),
      }));
      return { ...type, fields };
    }
    if (type.type === 'array') return { ...type, items: walk(type.items, namespace) };
    if (type.type === 'map') return { ...type, values: walk(type.values, namespace) };
    return type;
  };
  return walk(schema, undefined) as AvroSchemaObject;
}
