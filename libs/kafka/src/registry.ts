import {
  basicAuthHeader,
  errorMessage,
  retry,
  splitUrlAuth,
  type BasicAuth,
  type Logger,
} from '@chippy/runtime';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';

/** What the serde needs from a schema registry; tests pass a fake. */
export interface RegistryLike {
  /** Registers the schema under the subject (idempotent) and resolves to its id. */
  register(subject: string, schema: string): Promise<number>;
  /** The writer type for an id, or undefined when the registry has no Avro schema with that id. */
  getSchema(id: number): Promise<avsc.Type | undefined>;
}

/** An HTTP error from the registry, with its status. */
export class RegistryHttpError extends Error {
  override name = 'RegistryHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The registry refused a schema because readers could not read what it writes, or the other way round, under
 * the subject's compatibility level. Its message is the one line a refused service exits with.
 */
export class SchemaIncompatibleError extends RegistryHttpError {
  override name = 'SchemaIncompatibleError';
  constructor(
    readonly subject: string,
    readonly level: string,
    readonly reason: string,
  ) {
    super(
      409,
      `the schema registry refused the schema for subject ${subject}: not compatible with its latest version under ${level} compatibility: ${reason}`,
    );
  }
}

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
    ? error.status
    : undefined;

// mappersmith (under the registry client) reports network failures as HTTP 400 with the socket error as text.
const networkFailure =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up|Timeout/;

/** Whether waiting may help: the registry is down, overloaded or unreachable, not rejecting the schema. */
export function isTransientRegistryError(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return true;
  if (status === 400) return networkFailure.test(errorMessage(error));
  // 409 is an incompatible schema (final) unless Apicurio says the subject "already exists": another client
  // created the same new subject at that moment, and registering again finds the version it made.
  if (status === 409) return isRegistrationRace(error);
  return status >= 500 || status === 408 || status === 429;
}

/** Apicurio's answer when another client created the same new subject at that moment. */
const isRegistrationRace = (error: unknown) =>
  statusOf(error) === 409 && /already exists/i.test(errorMessage(error));

/**
 * The library's register() first reads `GET /config/{subject}` and refuses when the level differs from the
 * one asked for. Apicurio's ccompat API answers NONE for a subject without a rule, so it refuses there; a
 * reply without `compatibilityLevel` makes it throw a TypeError instead. Both mean "register directly".
 */
const isConfigCheckFailure = (error: unknown) =>
  error instanceof TypeError ||
  (error instanceof Error && error.name === 'ConfluentSchemaRegistryCompatibilityError');

export interface RegistryOptions {
  registryUri: string;
  logger: Logger;
  /** Stops retrying registration when aborted. */
  signal?: AbortSignal;
}

/** A registry client over @kafkajs/confluent-schema-registry that copes with Apicurio's ccompat API. */
export function createRegistry({ registryUri, logger, signal }: RegistryOptions): RegistryLike {
  const { url, auth } = splitUrlAuth(registryUri);
  const client = new SchemaRegistry({ host: url, clientId: 'chippy', ...(auth && { auth }) });

  /** 401 and 403 say only "Unauthorized": say which setting holds the credentials (never the credentials). */
  const explainAuth = (error: unknown): unknown => {
    const status = statusOf(error);
    if (status !== 401 && status !== 403) return error;
    const what = auth
      ? 'refused the user name and password in SCHEMA_REGISTRY_URI'
      : 'wants credentials: give them as user:password@ in SCHEMA_REGISTRY_URI';
    return new RegistryHttpError(status, `the schema registry ${what} (${status}: ${errorMessage(error)})`);
  };

  async function registerOnce(subject: string, schema: string): Promise<number> {
    try {
      const options = { subject, compatibility: COMPATIBILITY.BACKWARD, updateConfig: false };
      return (await client.register({ type: SchemaType.AVRO, schema }, options)).id;
    } catch (error) {
      if (!isConfigCheckFailure(error)) throw error;
      logger.debug(
        { subject, error: errorMessage(error) },
        'registering without the compatibility pre-check',
      );
      const response = await request(url, auth, 'POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
        schema,
      });
      return (response as { id: number }).id;
    }
  }

  /** A 409 as the line that says what was refused, under which level, and why. */
  async function incompatible(subject: string, error: unknown): Promise<SchemaIncompatibleError> {
    const level = await compatibilityLevel(url, auth, subject).catch(() => 'an unknown');
    return new SchemaIncompatibleError(subject, level, registryReason(errorMessage(error)));
  }

  return {
    async register(subject, schema) {
      const id = await retry(
        // Names the registry (never its credentials: `url` has none) and the setting that points at it.
        `registering schema for ${subject} at the schema registry ${url} (SCHEMA_REGISTRY_URI)`,
        async () => {
          try {
            return await registerOnce(subject, schema);
          } catch (error) {
            if (statusOf(error) === 409 && !isRegistrationRace(error)) {
              throw await incompatible(subject, error);
            }
            if (!isRegistrationRace(error)) throw explainAuth(error);
            // Services started together register the same new subject at once: normal, so not a warning.
            logger.debug({ subject }, 'the subject was created meanwhile; registering again');
            return await registerOnce(subject, schema).catch((again: unknown) => {
              throw explainAuth(again);
            });
          }
        },
        { logger, shouldRetry: isTransientRegistryError, ...(signal && { signal }) },
      );
      // After registering, because Apicurio has no subject to attach the rule to before that.
      try {
        await request(url, auth, 'PUT', `/config/${encodeURIComponent(subject)}`, {
          compatibility: 'BACKWARD',
        });
      } catch (error) {
        logger.warn({ subject, err: errorMessage(error) }, 'could not set BACKWARD compatibility');
      }
      return id;
    },

    async getSchema(id) {
      try {
        const schema = await client.getSchema(id);
        return avsc.Type.isType(schema) ? (schema as avsc.Type) : undefined;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw explainAuth(error);
      }
    },
  };
}

/** A JSON request to the registry's Confluent-compatible API, for calls the library does not offer. */
async function request(
  baseUrl: string,
  auth: BasicAuth | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/vnd.schemaregistry.v1+json',
      accept: 'application/vnd.schemaregistry.v1+json, application/json',
      ...(auth && { authorization: basicAuthHeader(auth) }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new RegistryHttpError(
      response.status,
      `${method} ${path}: ${response.status} ${errorText(text)}`.trim(),
    );
  }
  return JSON.parse(text) as unknown;
}

/** The `message` of a registry error body, or the body itself when it is not JSON. */
function errorText(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/**
 * The registry's reason without what is put in front of it: the client's id (the registry library's
 * `chippy - `), the request (`request`'s `POST /subjects/…: 409 `) and the Java exception class (Apicurio's).
 */
export const registryReason = (message: string): string =>
  message
    .replace(/^chippy - /, '')
    .replace(/^[A-Z]+ \S+: \d{3} /, '')
    .replace(/^[\w.]+(?:Exception|Error):\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

/** The subject's compatibility level, or the registry's default when the subject has none of its own. */
async function compatibilityLevel(baseUrl: string, auth: BasicAuth | undefined, subject: string) {
  const levelOf = (body: unknown) => (body as { compatibilityLevel?: string }).compatibilityLevel;
  const own = await request(baseUrl, auth, 'GET', `/config/${encodeURIComponent(subject)}`).then(
    levelOf,
    (error: unknown) => {
      // Confluent answers 404 (40408) for a subject without a level of its own; Apicurio answers the default.
      if (statusOf(error) === 404) return undefined;
      throw error;
    },
  );
  return own ?? levelOf(await request(baseUrl, auth, 'GET', '/config')) ?? 'an unknown';
}

/** What the registry says of a schema against the latest version of its subject. */
export type CompatibilityVerdict =
  | { subject: string; compatible: true; level: string }
  | { subject: string; compatible: false; level: string; reason: string }
  | { subject: string; compatible: 'new-subject' };

/**
 * The calls a pre-deploy check and test clean-up make, on any Confluent-API registry (Confluent, Karapace,
 * Aiven, Apicurio's ccompat API). `registryUri` may carry `user:password@`.
 */
export function createRegistryAdmin(registryUri: string) {
  const { url, auth } = splitUrlAuth(registryUri);
  const call = (method: string, path: string, body?: unknown) => request(url, auth, method, path, body);
  return {
    /** The registry's base URL, without credentials: safe to print. */
    url,
    /**
     * `POST /compatibility/subjects/{subject}/versions/latest?verbose=true`: whether readers and writers of
     * the latest version and of `schema` can read each other as the subject's compatibility level demands.
     */
    async compatibility(subject: string, schema: string): Promise<CompatibilityVerdict> {
      let answer: { is_compatible: boolean; reason?: string | null; messages?: string[] };
      try {
        answer = (await call(
          'POST',
          `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
          { schema, schemaType: 'AVRO' },
        )) as typeof answer;
      } catch (error) {
        // 40401 (no subject) and 40402 (no version): nothing registered yet, so nothing to break.
        if (statusOf(error) === 404) return { subject, compatible: 'new-subject' };
        throw error;
      }
      const level = await compatibilityLevel(url, auth, subject);
      if (answer.is_compatible) return { subject, compatible: true, level };
      // Apicurio says why in `reason`; Confluent and Karapace in `messages` (with verbose=true).
      const reason = answer.reason ?? answer.messages?.join('; ') ?? 'the registry gave no reason';
      return { subject, compatible: false, level, reason: registryReason(reason) };
    },
    async subjects(): Promise<string[]> {
      return (await call('GET', '/subjects')) as string[];
    },
    /** Soft-deletes the subject, then deletes it for good; false if there was no such subject. */
    async deleteSubject(subject: string): Promise<boolean> {
      const path = `/subjects/${encodeURIComponent(subject)}`;
      try {
        await call('DELETE', path);
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
      // Confluent and Karapace refuse a hard delete of a subject that was not soft-deleted first.
      await call('DELETE', `${path}?permanent=true`).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      return true;
    },
  };
}
