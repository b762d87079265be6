import {
  connectApi,
  connectorNameOf,
  connectorSettings,
  deployConnector,
  type ConnectorConfig,
} from '@chippy/connectors';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';
import { loadConfig } from '@chippy/runtime';
import { outputDir } from './services.js';
import { endpointsFromEnv } from './endpoints.js';
import { testKafka } from './kafka.js';

const deployed: ConnectorConfig[] = [];

/**
 * The JDBC sink for one isolated shop (its TOPIC_PREFIX) into `databaseUrl`, deployed by the project's
 * own connector command, as a user would; `deleteSinks()` removes them and their consumer groups.
 * `registryUrl`: the registry as the worker's converter reaches it (default: the stack's, Apicurio's own API).
 */
export async function deploySink(
  prefix: string,
  databaseUrl: string,
  format: 'avro' | 'json',
  registryUrl?: string,
) {
  const { CONNECT_URL, SCHEMA_REGISTRY_URI } = endpointsFromEnv();
  const config = loadConfig({
    name: 'test-sink',
    description: '',
    settings: connectorSettings,
    argv: [],
    env: {
      CONNECT_URL,
      SCHEMA_REGISTRY_URI,
      DATABASE_URL: databaseUrl,
      TOPIC_PREFIX: prefix,
      ORDER_FORMAT: format,
      CONNECTOR_TARGET: 'local',
      ...(registryUrl && { CONNECT_SCHEMA_REGISTRY_URL: registryUrl }),
    },
  });
  deployed.push(config);
  await deployConnector(config, () => undefined);
  const name = connectorNameOf(config);
  return {
    name,
    api: connectApi(CONNECT_URL),
    group: `connect-${name}`,
    dlqTopic: `${prefix}orders-sink-dlq`,
  };
}

/**
 * `connectors watch` for the shop's sink, as its own process (log in test-output/<label>.log): the
 * project's answer to Connect never restarting a FAILED task. Its exit code and time to exit can be
 * checked through `exited` and `stop()`.
 */
export function watchSink(prefix: string, label: string) {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'connectors/dist/cli.js'), 'watch', '--watch-interval', '2'],
    {
      env: { ...process.env, ...endpointsFromEnv(), TOPIC_PREFIX: prefix, HTTP_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = createWriteStream(path.join(outputDir, `${label}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resolves once the sink's consumer group has committed the end of every partition of `topic`. */
export async function sinkCaughtUp(group: string, topic: string, timeoutMs = 90_000): Promise<void> {
  const admin = testKafka('test-sink-offsets').admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const behind = ends.filter((end) => {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        return Number(end.high) > 0 && Number(at) < Number(end.high);
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${group} behind on ${behind.length} partition(s) of ${topic} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteSinks(): Promise<void> {
  const admin = testKafka('test-sink-cleanup').admin();
  await admin.connect();
  try {
    for (const config of deployed.splice(0)) {
      const name = connectorNameOf(config);
      await connectApi(config.connectUrl).remove(name);
      await admin.deleteGroups([`connect-${name}`]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}
