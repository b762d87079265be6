// Generates src/generated/schemas.ts from connectors/schemas/*.avsc, the single source of message types:
// a TypeScript interface per record and each top-level schema as a self-contained object (references to
// other named records expanded inline, so each can be registered on its own), and each superseded version
// kept in connectors/schemas/history/<file>.v<N>.avsc, for services that still run on it.
//
// usage: node scripts/codegen-schemas.mjs [--out <file>]   (default: src/generated/schemas.ts)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(packageDir, '../../connectors/schemas');
const historyDir = join(schemaDir, 'history');
const defaultOut = join(packageDir, 'src/generated/schemas.ts');

// avsc is used without logical types, so these decode as their underlying type.
const primitives = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

const fullName = (name, namespace) => (name.includes('.') || !namespace ? name : `${namespace}.${name}`);

function readSchemas(dir = schemaDir) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => ({ file, schema: JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}

/** history/order.v1.avsc → { current: 'order.avsc', version: 1 }. */
function readHistory() {
  return readSchemas(historyDir).map(({ file, schema }) => {
    const match = /^(.+)\.v(\d+)\.avsc$/.exec(file);
    if (!match) throw new Error(`history/${file}: name it <file>.v<N>.avsc, e.g. order.v1.avsc`);
    return { file, schema, current: `${match[1]}.avsc`, version: Number(match[2]) };
  });
}

/** Every record defined anywhere in the files, by full name. */
function collectRecords(files) {
  const records = new Map();
  const visit = (type, namespace) => {
    if (Array.isArray(type)) return type.forEach((t) => visit(t, namespace));
    if (typeof type !== 'object') return;
    if (type.type === 'record') {
      const name = fullName(type.name, type.namespace ?? namespace);
      if (records.has(name)) throw new Error(`record ${name} is defined twice`);
      records.set(name, type);
      type.fields.forEach((field) => visit(field.type, type.namespace ?? namespace));
    } else if (type.type === 'array') visit(type.items, namespace);
    else if (type.type === 'map') visit(type.values, namespace);
  };
  files.forEach(({ schema }) => visit(schema, undefined));
  return records;
}

/** The schema with each named reference replaced by its definition, the first time it occurs. */
function expand(schema, records) {
  const defined = new Set();
  const walk = (type, namespace) => {
    if (Array.isArray(type)) return type.map((t) => walk(t, namespace));
    if (typeof type === 'string') {
      if (type in primitives) return type;
      const name = fullName(type, namespace);
      const record = records.get(name);
      if (!record) throw new Error(`unknown type ${type}`);
      return defined.has(name) ? name : walk(record, namespace);
    }
    if (type.type === 'record') {
      const ns = type.namespace ?? namespace;
      defined.add(fullName(type.name, ns));
      return { ...type, fields: type.fields.map((field) => ({ ...field, type: walk(field.type, ns) })) };
    }
    if (type.type === 'array') return { ...type, items: walk(type.items, namespace) };
    if (type.type === 'map') return { ...type, values: walk(type.values, namespace) };
    if (type.type in primitives) return type;
    throw new Error(`unsupported Avro type ${JSON.stringify(type)}`);
  };
  return walk(schema, undefined);
}

function tsType(type, namespace, records) {
  if (Array.isArray(type)) return type.map((t) => tsType(t, namespace, records)).join(' | ');
  if (typeof type === 'string') {
    if (type in primitives) return primitives[type];
    const record = records.get(fullName(type, namespace));
    if (!record) throw new Error(`unknown type ${type}`);
    return record.name;
  }
  if (type.type === 'record') return type.name;
  if (type.type === 'array') {
    const items = tsType(type.items, namespace, records);
    return Array.isArray(type.items) ? `(${items})[]` : `${items}[]`;
  }
  if (type.type === 'map') return `Record<string, ${tsType(type.values, namespace, records)}>`;
  if (type.type in primitives) return primitives[type.type];
  throw new Error(`unsupported Avro type ${JSON.stringify(type)}`);
}

const docComment = (text, indent = '') => (text ? `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n` : '');

function tsInterface(record, records) {
  const namespace = fullName(record.name, record.namespace).split('.').slice(0, -1).join('.');
  const fields = record.fields.map((field) => {
    const doc = [
      field.doc,
      field.type.logicalType ? `Logical type ${field.type.logicalType}.` : undefined,
      'default' in field ? `Default: ${JSON.stringify(field.default)}.` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    // An optional field (a union with null, default null) may be left out by writers: Avro writes the default.
    const optional = Array.isArray(field.type) && field.type.includes('null') && field.default === null;
    return `${docComment(doc, '  ')}  ${field.name}${optional ? '?' : ''}: ${tsType(field.type, namespace, records)};\n`;
  });
  return `${docComment(record.doc)}export interface ${record.name} {\n${fields.join('')}}\n`;
}

async function generate() {
  const files = readSchemas();
  const records = collectRecords(files);
  const source = relative(join(packageDir, '../..'), schemaDir);
  const parts = [
    `// Generated from ${source}/*.avsc by scripts/codegen-schemas.mjs; do not edit.\n`,
    '// Change the .avsc files and run `npm run codegen -w libs/shop`.\n',
  ];
  for (const record of records.values()) parts.push('\n', tsInterface(record, records));
  const topLevel = files.map(({ schema }) => schema.name);
  for (const { file, schema } of files) {
    const expanded = JSON.stringify(expand(schema, records), null, 2);
    parts.push(`\n/** ${source}/${file}, references expanded inline. */\n`);
    parts.push(`export const ${schema.name}Schema = ${expanded} as const;\n`);
  }
  // Superseded versions: each expanded with the current definitions of the records it refers to.
  const history = readHistory();
  const versions = new Map();
  for (const { file, schema, current, version } of history.sort((a, b) => a.version - b.version)) {
    const latest = files.find((f) => f.file === current);
    if (!latest) throw new Error(`history/${file}: there is no ${current} it is a version of`);
    const name = `${schema.name}V${version}Schema`;
    const expanded = JSON.stringify(
      expand(schema, new Map([...records, [fullName(schema.name, schema.namespace), schema]])),
      null,
      2,
    );
    parts.push(`\n/** ${source}/history/${file}: version ${version} of ${current}, superseded. */\n`);
    parts.push(`export const ${name} = ${expanded} as const;\n`);
    const older = versions.get(latest.schema.name) ?? [];
    if (version !== older.length + 1)
      throw new Error(`history/${file}: expected version ${older.length + 1}`);
    versions.set(latest.schema.name, [...older, name]);
  }
  parts.push(
    '\n/** Every version of each record that has a history, oldest first: version N is at index N - 1. */\n',
    `export const schemaVersions = { ${[...versions]
      .map(([name, old]) => `${name}: [${[...old, `${name}Schema`].join(', ')}]`)
      .join(', ')} } as const;\n`,
  );
  parts.push(
    '\n/** Every top-level schema by record name. */\n',
    `export const schemas = { ${topLevel.map((name) => `${name}: ${name}Schema`).join(', ')} } as const;\n`,
  );
  const options = await prettier.resolveConfig(defaultOut);
  return prettier.format(parts.join(''), { ...options, filepath: defaultOut });
}

const { values } = parseArgs({ options: { out: { type: 'string', default: defaultOut } } });
writeFileSync(values.out, await generate());
console.log(`wrote ${relative(process.cwd(), values.out)}`);
