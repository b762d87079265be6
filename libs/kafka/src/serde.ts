import { errorMessage, type Logger } from '@chippy/runtime';
import avsc from 'avsc';
import { connectSchema } from './connect-schema.js';
import { createRegistry, type RegistryLike } from './registry.js';
import { pinRecords } from './pin-records.js';

/** A self-contained Avro record schema, such as the generated `OrderSchema`. */
export interface AvroSchemaObject {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly fields: readonly object[];
}

export type MessageFormat = 'avro' | 'json';

export type DecodeReason =
  | 'empty'
  | 'too-large'
  | 'bad-magic-byte'
  | 'unknown-schema-id'
  | 'avro-decode-failed'
  | 'json-parse-failed'
  | 'json-missing-schema'
  | 'invalid-value';

/**
 * A message that can never be decoded, however often it is retried: send it to the dead-letter topic.
 * Other errors from a decoder (the registry unreachable) are passing trouble and are thrown as they are.
 */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly reason: DecodeReason,
    message: string,
  ) {
    super(message);
  }
}

export interface Serde {
  readonly format: MessageFormat;
  /** Registers the schema (Avro) under `<topic>-value` and returns an encoder in the configured format. */
  encoder<T>(topic: string, schema: AvroSchemaObject): Promise<(value: T) => Promise<Buffer>>;
  /** A decoder that accepts both formats and returns plain objects valid for `schema`. */
  decoder<T>(schema: AvroSchemaObject): (value: Buffer | null) => Promise<T>;
}

export interface SerdeOptions {
  registryUri: string;
  format: MessageFormat;
  logger: Logger;
  /** Largest value accepted by decoders, in bytes; default 1 MiB. */
  maxBytes?: number;
  /** Stops waiting for an unreachable registry. */
  signal?: AbortSignal;
  /** Defaults to a client for `registryUri`. */
  registry?: RegistryLike;
  /**
   * Older versions of records to use wherever a schema defines them (ORDER_SCHEMA_VERSION): this service
   * then reads and writes as one built before the change did.
   */
  pinnedRecords?: readonly AvroSchemaObject[];
  /**
   * What values must be beyond their schema, by record name: a problem (a one-line reason) makes the
   * decoder refuse the value as `invalid-value`.
   */
  checks?: ReadonlyMap<string, (value: never) => string | undefined>;
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

// Built without logical types on purpose: uuid and timestamp-millis stay string and number.
const avroType = (schema: AvroSchemaObject) => avsc.Type.forSchema(schema as unknown as avsc.Schema);

/** The paths (e.g. `items.0`) at which a value does not fit the type; empty if it fits. */
function invalidPaths(type: avsc.Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(value)') });
  return paths;
}

function assertValid(type: avsc.Type, value: unknown): void {
  const paths = invalidPaths(type, value);
  if (paths.length > 0) throw new Error(`not a valid ${type.name}: bad ${paths.join(', ')}`);
}

/** Encoders return promises, so an invalid value rejects like any other send failure instead of throwing. */
const asPromise =
  <T>(encode: (value: T) => Buffer) =>
  (value: T) =>
    new Promise<Buffer>((resolve) => resolve(encode(value)));

/**
 * avsc returns instances of generated record classes; consumers get plain objects, the same shape
 * whichever format the message came in (and what `assert.deepStrictEqual` in tests expects). A copy of
 * each record's own fields: structuredClone did the same about five times slower, on every message a
 * consumer reads.
 */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = plainCopy((value as Record<string, unknown>)[key]);
  return copy;
}
const plain = <T>(value: unknown): T => plainCopy(value) as T;

export function createSerde(options: SerdeOptions): Serde {
  const { format, logger, maxBytes = 1024 * 1024, pinnedRecords = [] } = options;
  const pinned = (schema: AvroSchemaObject) => pinRecords(schema, pinnedRecords);
  const registry =
    options.registry ??
    createRegistry({
      registryUri: options.registryUri,
      logger,
      ...(options.signal && { signal: options.signal }),
    });

  async function avroEncoder<T>(topic: string, schema: AvroSchemaObject) {
    const type = avroType(schema);
    const subject = `${topic}-value`;
    const id = await registry.register(subject, JSON.stringify(schema));
    logger.info({ subject, id }, 'schema registered');
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeInt32BE(id, 1);
    return asPromise((value: T) => {
      assertValid(type, value);
      return Buffer.concat([header, type.toBuffer(value)]);
    });
  }

  function jsonEncoder<T>(schema: AvroSchemaObject) {
    const type = avroType(schema);
    const envelopeSchema = connectSchema(schema);
    return asPromise((value: T) => {
      assertValid(type, value);
      // clone() fills in field defaults, which JsonConverter would otherwise reject as missing.
      const envelope = { schema: envelopeSchema, payload: type.clone(value) as unknown };
      return Buffer.from(JSON.stringify(envelope));
    });
  }

  function decoder<T>(schema: AvroSchemaObject) {
    const type = avroType(schema);
    const resolvers = new Map<number, avsc.Resolver>();
    const check = options.checks?.get(type.name ?? '') as ((value: T) => string | undefined) | undefined;
    const valid = (value: T): T => {
      const problem = check?.(value);
      if (problem) throw new DecodeError('invalid-value', `not a valid ${type.name}: ${problem}`);
      return value;
    };

    async function decodeAvro(buf: Buffer): Promise<unknown> {
      if (buf.length < HEADER_BYTES)
        throw new DecodeError('avro-decode-failed', 'shorter than the 5-byte header');
      const id = buf.readInt32BE(1);
      let resolver = resolvers.get(id);
      if (!resolver) {
        const writer = await registry.getSchema(id);
        if (!writer)
          throw new DecodeError('unknown-schema-id', `the registry has no Avro schema with id ${id}`);
        try {
          resolver = type.createResolver(writer);
        } catch (error) {
          // The writer lacks fields the reader needs, so no value written with it is a valid reader value.
          throw new DecodeError(
            'invalid-value',
            `schema ${id} cannot be read as ${type.name}: ${errorMessage(error)}`,
          );
        }
        resolvers.set(id, resolver);
      }
      try {
        return type.fromBuffer(buf.subarray(HEADER_BYTES), resolver);
      } catch (error) {
        throw new DecodeError('avro-decode-failed', `Avro body (schema ${id}): ${errorMessage(error)}`);
      }
    }

    function decodeJson(buf: Buffer): unknown {
      let envelope: unknown;
      try {
        envelope = JSON.parse(buf.toString('utf8'));
      } catch (error) {
        throw new DecodeError('json-parse-failed', errorMessage(error));
      }
      if (
        typeof envelope !== 'object' ||
        envelope === null ||
        !('schema' in envelope) ||
        !('payload' in envelope)
      ) {
        throw new DecodeError('json-missing-schema', 'JSON value is not a {"schema", "payload"} envelope');
      }
      const paths = invalidPaths(type, envelope.payload);
      if (paths.length > 0) {
        throw new DecodeError('invalid-value', `not a valid ${type.name}: bad ${paths.join(', ')}`);
      }
      // clone() fills in defaults for fields an older writer left out and drops unknown ones.
      return type.clone(envelope.payload);
    }

    return async (buf: Buffer | null): Promise<T> => {
      if (!buf || buf.length === 0) throw new DecodeError('empty', 'message has no value');
      if (buf.length > maxBytes) {
        throw new DecodeError(
          'too-large',
          `value has ${buf.length} bytes, more than the ${maxBytes} allowed`,
        );
      }
      if (buf[0] === MAGIC_BYTE) return valid(plain<T>(await decodeAvro(buf)));
      if (/^\s*\{/.test(buf.subarray(0, 64).toString('latin1'))) return valid(plain<T>(decodeJson(buf)));
      const first = `0x${buf[0]!.toString(16).padStart(2, '0')}`;
      throw new DecodeError(
        'bad-magic-byte',
        `starts with ${first}: neither Avro (magic byte 0) nor a JSON object`,
      );
    };
  }

  return {
    format,
    encoder: <T>(topic: string, schema: AvroSchemaObject) =>
      format === 'avro'
        ? avroEncoder<T>(topic, pinned(schema))
        : Promise.resolve(jsonEncoder<T>(pinned(schema))),
    decoder: <T>(schema: AvroSchemaObject) => decoder<T>(pinned(schema)),
  };
}
