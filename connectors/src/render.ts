import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitUrlAuth } from '@chippy/runtime';
import type { ConnectorConfig, Target } from './settings.js';

/** connectors/ in the repository (or the image): the SQL and the sink templates live beside src/. */
export const connectorsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const templateFile = (target: Target, format: 'avro' | 'json') =>
  path.join(connectorsDir, 'sink', `${target}-${format}.json`);

export type Placeholders = Record<string, string>;

/**
 * The values the sink templates' `${NAME}` placeholders take, from the configuration: the JDBC URL and
 * credentials come out of the PostgreSQL URL, the converter's registry URL out of the registry URI.
 */
export function placeholders(config: ConnectorConfig): Placeholders {
  const database = new URL(config.connectDatabaseUrl || config.databaseUrl);
  const registry = splitUrlAuth(config.connectSchemaRegistryUrl || config.schemaRegistryUri);
  return {
    TOPIC_PREFIX: config.topicPrefix,
    REPLICATION_FACTOR: String(config.replicationFactor),
    // Debezium's sink dedupes a batch by key first (use.reduction.buffer); a multi-row upsert may not hold
    // one key twice, so Aiven's sink, which does not, keeps one row per statement.
    JDBC_URL: jdbcUrl(database, config.target !== 'aiven'),
    JDBC_USER: decodeURIComponent(database.username),
    JDBC_PASSWORD: decodeURIComponent(database.password),
    REGISTRY_URL:
      (config.target === 'local' || config.target === 'compose') && !config.connectSchemaRegistryUrl
        ? apicurioNativeApi(registry.url)
        : registry.url,
  };
}

/**
 * Aiven's sink configs name their secrets only through the ENV secret provider of Aiven's Connect
 * service, `${chippy:pg_password}` and `${chippy:registry_user_info}`: the values live in the service's
 * secret_providers (docs/aiven.md; https://aiven.io/docs/products/kafka/kafka-connect/howto/configure-env-secret-provider),
 * never in the connector's config.
 */
export const AIVEN_SECRET_PROVIDER = 'chippy';
export const AIVEN_SECRET_KEYS = ['pg_password', 'registry_user_info'] as const;

/** A config-provider reference such as `${env:JDBC_PASSWORD}` or `${chippy:pg_password}`: no secret itself. */
export const isProviderReference = (value: string) => /^\$\{[A-Za-z][\w.-]*:[^}]+\}$/.test(value);

/**
 * The JDBC URL of a PostgreSQL URL; with `batched`, the driver sends a batch of upserts as multi-row
 * statements (`reWriteBatchedInserts`) unless the URL says otherwise (docs/decisions/sink-batching.md).
 */
export function jdbcUrl(database: URL, batched: boolean): string {
  const params = new URLSearchParams(database.search);
  if (batched && !params.has('reWriteBatchedInserts')) params.set('reWriteBatchedInserts', 'true');
  const query = params.toString();
  return `jdbc:postgresql://${database.host}${database.pathname}${query ? `?${query}` : ''}`;
}

/** Apicurio's converter talks to the registry's own API, not the Confluent-compatible one the services use. */
export function apicurioNativeApi(url: string): string {
  return url.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v2');
}

/** The template with every `${NAME}` filled in; a placeholder with no value is an error naming it. */
export function render(template: string, values: Placeholders): Record<string, string> {
  const missing = new Set<string>();
  const text = template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    // The value lands inside a JSON string.
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) throw new Error(`no value for placeholder(s) ${[...missing].join(', ')}`);
  return JSON.parse(text) as Record<string, string>;
}

export function renderConnector(config: ConnectorConfig): Record<string, string> {
  return render(readFileSync(templateFile(config.target, config.format), 'utf8'), placeholders(config));
}

/** Keys whose values are secrets: shown as `***` whenever a config is printed, unless a provider reference. */
export const secretKeys = ['connection.password', 'value.converter.basic.auth.user.info'];

export function redactConnector(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k,
      secretKeys.includes(k) && v !== '' && !isProviderReference(v) ? '***' : v,
    ]),
  );
}
