import { connectApi, connectorNameOf, connectorSettings, deployConnector, migrate } from '@chippy/connectors';
import { loadConfig } from '@chippy/runtime';
import pg from 'pg';
import type { Bench } from '../context.js';
import type { Alongside } from '../shop.js';

export interface SinkStats {
  /** Rows in the scratch database's orders table when the run stopped. */
  rows: number;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The JDBC sink on a shop's `orders` topic, into a scratch database of its own, deployed by the project's
 * connector code (`connectors deploy --target local --format avro`). It counts the rows written when the
 * run asks (each end of the window); its stop records them in `stats`, then removes the connector, its
 * consumer group and the database.
 */
export function withSink(bench: Bench, stats: SinkStats) {
  return async (prefix: string): Promise<Alongside> => {
    const server = new URL(bench.endpoints.DATABASE_URL);
    const database = `${prefix.replace(/-/g, '_')}db`;
    const url = new URL(server);
    url.pathname = `/${database}`;
    const admin = new URL(server);
    admin.pathname = '/postgres';
    await migrate(url.toString(), () => undefined);
    const config = loadConfig({
      name: 'bench-sink',
      description: '',
      settings: connectorSettings,
      argv: [],
      env: {
        CONNECT_URL: bench.endpoints.CONNECT_URL,
        SCHEMA_REGISTRY_URI: bench.endpoints.SCHEMA_REGISTRY_URI,
        DATABASE_URL: url.toString(),
        TOPIC_PREFIX: prefix,
        ORDER_FORMAT: 'avro',
        CONNECTOR_TARGET: 'local',
      },
    });
    const name = connectorNameOf(config);
    bench.made.groups.add(`connect-${name}`);
    await deployConnector(config, () => undefined);
    const rows = async () => {
      const [row] = await query<{ n: string }>(url.toString(), 'select count(*) as n from orders');
      return Number(row?.n ?? 0);
    };
    return {
      rows,
      async stop() {
        stats.rows = await rows();
        await connectApi(config.connectUrl).remove(name);
        await query(
          admin.toString(),
          `drop database if exists ${pg.escapeIdentifier(database)} with (force)`,
        );
      },
    };
  };
}
