/** A Kafka Connect schema as JsonConverter (schemas.enable=true) expects it in the `schema` envelope field. */
export interface ConnectSchema {
  type: string;
  optional: boolean;
  name?: string;
  version?: number;
  field?: string;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

const primitives: Record<string, string> = {
  string: 'string',
  int: 'int32',
  long: 'int64',
  boolean: 'boolean',
  float: 'float32',
  double: 'float64',
  bytes: 'bytes',
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The Connect struct schema for a self-contained Avro record schema. A timestamp-millis long becomes
 * Connect's Timestamp (still epoch milliseconds in the payload), as the Avro converters make it, so the
 * JDBC sink writes both formats into the same `timestamptz` column; other logical types stay plain.
 */
export function connectSchema(avro: unknown, namespace?: string): ConnectSchema {
  if (typeof avro === 'string' && avro in primitives) return { type: primitives[avro]!, optional: false };
  // An optional field, ["null", T]: Connect's optional T, as the Avro converters make it.
  if (Array.isArray(avro) && avro.length === 2 && avro.includes('null')) {
    return {
      ...connectSchema(
        avro.find((t) => t !== 'null'),
        namespace,
      ),
      optional: true,
    };
  }
  if (isObject(avro)) {
    if (avro.type === 'record' && typeof avro.name === 'string' && Array.isArray(avro.fields)) {
      const ns = typeof avro.namespace === 'string' ? avro.namespace : namespace;
      return {
        type: 'struct',
        name: avro.name.includes('.') || !ns ? avro.name : `${ns}.${avro.name}`,
        optional: false,
        fields: avro.fields.map((field: unknown) => {
          if (!isObject(field) || typeof field.name !== 'string')
            throw new Error('Avro record field without a name');
          return { ...connectSchema(field.type, ns), field: field.name };
        }),
      };
    }
    if (avro.type === 'array')
      return { type: 'array', items: connectSchema(avro.items, namespace), optional: false };
    if (avro.type === 'map') {
      return {
        type: 'map',
        keys: { type: 'string', optional: false },
        values: connectSchema(avro.values, namespace),
        optional: false,
      };
    }
    if (avro.type === 'long' && avro.logicalType === 'timestamp-millis') {
      return { type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1, optional: false };
    }
    if (typeof avro.type === 'string' && avro.type in primitives) return connectSchema(avro.type, namespace);
  }
  throw new Error(`no Kafka Connect equivalent for Avro type ${JSON.stringify(avro)}`);
}
