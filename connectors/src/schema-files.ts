import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connectorsDir } from './render.js';

export const schemasDir = path.join(connectorsDir, 'schemas');

type Json = Record<string, unknown>;

export interface SchemaFile {
  file: string;
  /** The record's name, e.g. `Order`. */
  name: string;
  /** The schema as it is registered: every record it refers to defined inline, the first time it occurs. */
  schema: Json;
}

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const fullName = (name: string, namespace: unknown) =>
  name.includes('.') || typeof namespace !== 'string' ? name : `${namespace}.${name}`;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `*.avsc` files of a directory, each made self-contained as the services register it (the same
 * expansion as libs/shop's codegen; a unit test checks the two agree on the repository's files).
 */
export function readSchemaFiles(dir = schemasDir): SchemaFile[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      try {
        return { file, schema: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Json };
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  const records = new Map<string, Json>();
  const collect = (type: unknown, namespace: unknown): void => {
    if (Array.isArray(type)) return type.forEach((t) => collect(t, namespace));
    if (!isObject(type)) return;
    if (type.type === 'record' && typeof type.name === 'string') {
      const ns = type.namespace ?? namespace;
      records.set(fullName(type.name, ns), type);
      for (const field of type.fields as Json[]) collect(field.type, ns);
    } else if (type.type === 'array') collect(type.items, namespace);
    else if (type.type === 'map') collect(type.values, namespace);
  };
  files.forEach(({ schema }) => collect(schema, undefined));

  return files.map(({ file, schema }) => {
    const defined = new Set<string>();
    const walk = (type: unknown, namespace: unknown): unknown => {
      if (Array.isArray(type)) return type.map((t) => walk(t, namespace));
      if (typeof type === 'string') {
        if (primitives.has(type)) return type;
        const name = fullName(type, namespace);
        const record = records.get(name);
        if (!record) throw new Error(`${file}: unknown type ${type}`);
        return defined.has(name) ? name : walk(record, namespace);
      }
      if (!isObject(type)) throw new Error(`${file}: not an Avro type: ${JSON.stringify(type)}`);
      if (type.type === 'record' && typeof type.name === 'string') {
        const ns = type.namespace ?? namespace;
        defined.add(fullName(type.name, ns));
        const fields = (type.fields as Json[]).map((field) => ({ ...field, type: walk(field.type, ns) }));
        return { ...type, fields };
      }
      if (type.type === 'array') return { ...type, items: walk(type.items, namespace) };
      if (type.type === 'map') return { ...type, values: walk(type.values, namespace) };
      return type;
    };
    return { file, name: String(schema.name), schema: walk(schema, undefined) as Json };
  });
}
