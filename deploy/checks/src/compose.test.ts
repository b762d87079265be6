import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  clusterProblems,
  composeJvmProbeProblems,
  composeReferenceProblems,
  composeRuleViolations,
  dclintProblems,
  dockerignoreProblems,
  mergeCompose,
  validateComposeSchema,
} from './compose.js';
import { configProviderProblems, sinkConfigProblems, unreadEnv } from './envcheck.js';
import { jmxConnectSamples } from './jmx-connect.js';
import { jmxAgentMetrics } from './jmx.js';
import {
  KAFKA_EXPORTER_METRICS,
  checkPromQL,
  checkPrometheusConfig,
  kafkaMetricsIn,
  metricsIn,
} from './prometheus.js';
import { type Json, definedMetrics, inRepo, isObject, readYaml, repoRoot } from './repo.js';

const composeFile = inRepo('compose.yaml');
const services = (doc: Json) => doc.services as Record<string, Json>;

const composeDir = repoRoot;

/** The network alias a broker service carries (Prometheus finds every broker by it). */
const brokerAlias = (service: Json): string | undefined =>
  (
    ((service.networks as Json | undefined)?.default as Json | undefined)?.aliases as string[] | undefined
  )?.[0];

/** A copy of the Compose file, changed by `edit`; its path. */
function brokenFile(edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chippy-compose-'));
  const file = path.join(dir, 'compose.yaml');
  const before = readFileSync(composeFile, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, 'the edit changed nothing');
  writeFileSync(file, after);
  return file;
}

/** A copy of the Compose file, changed by `edit`, parsed back. */
const broken = (edit: (text: string) => string): Json => readYaml(brokenFile(edit));

function envProblems(doc: Json): string[] {
  return Object.entries(services(doc)).flatMap(([name, s]) =>
    unreadEnv(`compose ${name}`, s.command, s.image, Object.keys((s.environment ?? {}) as Json)),
  );
}

describe('Docker Compose', () => {
  const doc = readYaml(composeFile);

  it('validates against the Compose Specification schema (vendored by dclint 3.1.0)', () => {
    assert.deepEqual(validateComposeSchema(doc), []);
  });

  it('a key the specification does not have fails the schema', () => {
    const bad = broken((t) => t.replace('  redis:\n', '  redis:\n    restart_policy: always\n'));
    assert.match(validateComposeSchema(bad).join('\n'), /additional/i);
  });

  it('follows the deploy rules: scaled services free of ports and names, healthchecks, healthy depends_on', () => {
    assert.deepEqual(composeRuleViolations(doc), []);
  });

  it('a fixed host port or container_name on a scaled service is reported', () => {
    const bad = broken((t) =>
      t.replace(
        "    command: ['node', 'services/till/dist/main.js']\n",
        "    command: ['node', 'services/till/dist/main.js']\n    ports: ['9101:9101']\n    container_name: till\n",
      ),
    );
    const problems = composeRuleViolations(bad);
    assert.ok(problems.includes('till: a scaled service publishes ports'), problems.join('\n'));
    assert.ok(problems.includes('till: a scaled service sets container_name'), problems.join('\n'));
  });

  it('a service without a healthcheck, or a depends_on without a healthy condition, is reported', () => {
    const bad = broken((t) =>
      t.replace("      test: ['CMD', 'redis-cli', 'ping']\n", '      disable: true\n'),
    );
    assert.ok(composeRuleViolations(bad).includes('redis: no healthcheck'));
    const started = broken((t) =>
      t.replace(/(summary:[\s\S]*?postgres:\n\s+condition: )service_healthy/, '$1service_started'),
    );
    assert.match(
      composeRuleViolations(started).join('\n'),
      /summary: depends_on postgres with condition service_started/,
    );
    const short = structuredClone(doc);
    services(short).till!.depends_on = ['kafka'];
    assert.match(composeRuleViolations(short).join('\n'), /till: depends_on must name a condition/);
  });

  it("no health check starts a Kafka tool under a -javaagent bound to a port (the broker's probe runs)", () => {
    assert.deepEqual(composeJvmProbeProblems(doc), []);
  });

  it('a probe whose JVM would bind the JMX agent port the broker holds is reported', () => {
    // The bug the Compose test found: the agent in the container's KAFKA_OPTS reaches the probe's JVM too.
    const bad = broken((t) =>
      t.replace(
        '      KAFKA_HEAP_OPTS: -Xms512m -Xmx512m\n',
        '      KAFKA_HEAP_OPTS: -Xms512m -Xmx512m\n      KAFKA_OPTS: -javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:/opt/jmx-exporter/kafka-broker.yml\n',
      ),
    );
    assert.match(
      composeJvmProbeProblems(bad).join('\n'),
      /^kafka healthcheck: runs kafka-broker-api-versions\.sh with KAFKA_OPTS carrying a -javaagent bound to port 9404/,
    );
    const cleared = broken((t) =>
      t
        .replace(
          '      KAFKA_HEAP_OPTS: -Xms512m -Xmx512m\n',
          '      KAFKA_HEAP_OPTS: -Xms512m -Xmx512m\n      KAFKA_OPTS: -javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:/opt/jmx-exporter/kafka-broker.yml\n',
        )
        .replace('- KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka', '- KAFKA_OPTS= KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka'),
    );
    assert.deepEqual(composeJvmProbeProblems(cleared), []);
  });

  it('the classic builder gets a context as narrow as BuildKit would (.dockerignore at the root)', () => {
    assert.deepEqual(dockerignoreProblems(doc, repoRoot), []);
    const root = mkdtempSync(path.join(tmpdir(), 'chippy-ignore-'));
    cpSync(
      inRepo('deploy/compose/Dockerfile.dockerignore'),
      path.join(root, 'deploy/compose/Dockerfile.dockerignore'),
    );
    writeFileSync(path.join(root, '.dockerignore'), '**/node_modules\n');
    assert.match(
      dockerignoreProblems(doc, root).join('\n'),
      /chippy-image: \.dockerignore does not leave out \*\*\/dist, .*\.stack/,
    );
  });

  it('no top-level name, one-shot jobs without the image healthcheck, and Connect probed on /health', () => {
    const named = broken((t) => `name: chippy\n${t}`);
    assert.ok(
      composeRuleViolations(named).includes('a top-level name: docker-compose 1.29 refuses the file'),
    );
    const job = broken((t) =>
      t.replace(
        "    command: ['node', '-e', '']\n    restart: 'no'\n    # The image's health check is for the services; a one-shot job serves no /healthz.\n    healthcheck:\n      disable: true\n",
        "    command: ['node', '-e', '']\n    restart: 'no'\n",
      ),
    );
    assert.ok(
      composeRuleViolations(job).includes(
        "chippy-image: a one-shot job that does not disable the image's healthcheck",
      ),
    );
    const plugins = broken((t) =>
      t.replace('http://127.0.0.1:8083/health', 'http://127.0.0.1:8083/connector-plugins'),
    );
    assert.match(
      composeRuleViolations(plugins).join('\n'),
      /connect: probes Kafka Connect's \/connector-plugins/,
    );
  });

  it('every env var a chippy container is given is one its program reads', () => {
    assert.deepEqual(envProblems(doc), []);
  });

  it('an env var no program reads is reported', () => {
    const bad = broken((t) =>
      t.replace("      TILL_PLAICE: 'true'\n", "      TILL_PLAICE: 'true'\n      TILL_SPEED: '2'\n"),
    );
    assert.deepEqual(envProblems(bad), [
      'compose till: TILL_SPEED is not read by services/till/dist/main.js',
    ]);
    const connect = broken((t) =>
      t.replace('      CONNECT_HEAP: 512m\n', '      CONNECT_HEAP: 512m\n      CONNECT_PLUGINS: x\n'),
    );
    assert.deepEqual(envProblems(connect), [
      'compose connect: CONNECT_PLUGINS is not read by start-connect.sh',
    ]);
  });

  it('references resolve: hosts are services, each image is built once and waited for, scripts and mounts exist; dclint agrees', () => {
    assert.deepEqual(composeReferenceProblems(doc, composeDir, repoRoot), []);
    assert.deepEqual(dclintProblems(composeFile), []);
  });

  it('an image built twice, a service not waiting for its image, a host that is no service, a missing script or mount', () => {
    const twice = broken((t) =>
      t.replace(
        "    command: ['node', 'services/till/dist/main.js']\n",
        "    command: ['node', 'services/till/dist/main.js']\n    build: { context: ., dockerfile: deploy/compose/Dockerfile }\n",
      ),
    );
    assert.match(
      composeReferenceProblems(twice, composeDir, repoRoot).join('\n'),
      /image chippy:dev is built by chippy-image, till: build it in one service only/,
    );
    assert.match(
      dclintProblems(brokenFile((t) => t.replace('    pull_policy: build\n', ''))).join('\n'),
      /no-build-and-image/,
    );
    const unordered = structuredClone(doc);
    delete (services(unordered).preparer!.depends_on as Json)['chippy-image'];
    assert.deepEqual(composeReferenceProblems(unordered, composeDir, repoRoot), [
      'preparer: runs chippy:dev, built by chippy-image, without depending on it',
    ]);
    const host = broken((t) =>
      t.replace('      REDIS_URL: redis://redis:6379\n', '      REDIS_URL: redis://cache:6379\n'),
    );
    assert.deepEqual(composeReferenceProblems(host, composeDir, repoRoot), [
      'preparer: names host cache, which is not a service',
    ]);
    const files = broken((t) =>
      t
        .replace("'deploy/compose/healthcheck.mjs', '/healthz'", "'deploy/compose/health.mjs', '/healthz'")
        .replace('./deploy/compose/prometheus/prometheus.yml:', './deploy/compose/prometheus/prom.yml:'),
    );
    assert.deepEqual(composeReferenceProblems(files, composeDir, repoRoot), [
      'connect-watch: healthcheck runs deploy/compose/health.mjs, which does not exist',
      'prometheus: bind-mounts ./deploy/compose/prometheus/prom.yml, which does not exist',
    ]);
    const exposed = brokenFile((t) =>
      t.replace('- 127.0.0.1:${SUMMARY_HOST_PORT:-8080}:8080', '- ${SUMMARY_HOST_PORT:-8080}:8080'),
    );
    assert.match(dclintProblems(exposed).join('\n'), /no-unbound-port-interfaces/);
  });

  it('the setup job deploys a sink config that exists, whose classes the Connect image installs', () => {
    const job = services(doc)['connect-setup']!;
    assert.ok(String((job.command as string[]).join(' ')).includes('--target compose'));
    assert.deepEqual(sinkConfigProblems('compose connect-setup', job.command, true), []);
  });

  it("the sink's ${env:JDBC_PASSWORD} resolves: the worker enables the env provider, allows the name, and is given it", () => {
    const sink = JSON.parse(readFileSync(inRepo('connectors/sink/compose-avro.json'), 'utf8')) as Record<
      string,
      string
    >;
    const env = new Set(Object.keys(services(doc).connect!.environment as Json));
    assert.deepEqual(configProviderProblems('compose connect', sink, env), []);
    env.delete('JDBC_PASSWORD');
    assert.deepEqual(configProviderProblems('compose connect', sink, env), [
      'compose connect: connection.password reads JDBC_PASSWORD, which the Connect container is not given',
    ]);
    const script = readFileSync(inRepo('deploy/compose/connect/start-connect.sh'), 'utf8');
    assert.match(
      configProviderProblems('c', sink, env, script.replace('config.providers=env\n', '')).join(''),
      /uses the config provider env, which start-connect.sh does not enable/,
    );
    assert.match(
      configProviderProblems(
        'c',
        { 'connection.password': '${env:PGPASSWORD}' },
        new Set(['PGPASSWORD']),
      ).join(''),
      /reads PGPASSWORD, which the env provider's allowlist \(\^JDBC_PASSWORD\\\$\) refuses/,
    );
  });

  it('a sink class the Connect image does not install, or a missing sink config, is reported', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'chippy-connect-'));
    cpSync(inRepo('connectors/sink'), path.join(root, 'connectors/sink'), { recursive: true });
    cpSync(inRepo('deploy/compose/connect'), path.join(root, 'deploy/compose/connect'), { recursive: true });
    const pom = path.join(root, 'deploy/compose/connect/avro-converter.pom.xml');
    writeFileSync(
      pom,
      readFileSync(pom, 'utf8').replace('kafka-connect-avro-converter', 'kafka-avro-serializer'),
    );
    const command = 'node connectors/dist/cli.js deploy --target karapace --format avro';
    assert.match(sinkConfigProblems('job', command, true, root).join('\n'), /does not fetch/);
    assert.match(
      sinkConfigProblems(
        'job',
        'node connectors/dist/cli.js deploy --target karapace --format xml',
        true,
        root,
      ).join(''),
      /karapace-xml\.json does not exist/,
    );
  });
});

describe('Prometheus and Grafana (Compose)', () => {
  const promFile = inRepo('deploy/compose/prometheus/prometheus.yml');
  const compose = readYaml(composeFile);

  it('prometheus.yml passes promtool check config', () => {
    assert.deepEqual(checkPrometheusConfig(promFile), []);
  });

  it('a broken prometheus.yml fails promtool', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chippy-prom-'));
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, readFileSync(promFile, 'utf8').replace('type: A', 'type: CNAME'));
    assert.equal(checkPrometheusConfig(file).length, 1);
  });

  /** Each chippy service's DNS discovery job scrapes the port the service listens on. */
  function scrapeProblems(prom: Json, doc: Json): string[] {
    const jobs = prom.scrape_configs as Json[];
    return ['till', 'preparer', 'cook', 'summary'].flatMap((name) => {
      const port = Number((services(doc)[name]?.environment as Json).HTTP_PORT);
      const job = jobs.find((j) => j.job_name === name);
      const sd = (job?.dns_sd_configs as Json[] | undefined)?.[0];
      if (!sd) return [`${name}: no dns_sd_configs job`];
      const names = sd.names as string[];
      return names.includes(name) && sd.port === port
        ? []
        : [`${name}: scraped at ${String(sd.port)}, listens on ${port}`];
    });
  }

  it('every service is discovered by DNS on the port it listens on', () => {
    assert.deepEqual(scrapeProblems(readYaml(promFile), compose), []);
    const bad = readYaml(promFile);
    ((bad.scrape_configs as Json[])[1]!.dns_sd_configs as Json[])[0]!.port = 9999;
    assert.deepEqual(scrapeProblems(bad, compose), ['preparer: scraped at 9999, listens on 9102']);
  });

  const dashboard = JSON.parse(
    readFileSync(inRepo('deploy/compose/grafana/dashboards/chippy.json'), 'utf8'),
  ) as Json;
  const exprs = (dashboard.panels as Json[]).flatMap((p) =>
    ((p.targets as Json[] | undefined) ?? []).map((t) => String(t.expr)),
  );

  it('the dashboard covers placed/prepared rates, latency, lag, cabinet and DLQ, with metrics the services define', () => {
    const used = new Set(exprs.flatMap(metricsIn));
    for (const metric of [
      'chippy_orders_placed_total',
      'chippy_orders_prepared_total',
      'chippy_order_latency_seconds',
      'chippy_consumer_lag',
      'chippy_cabinet_portions',
      'chippy_dlq_messages_total',
    ])
      assert.ok(used.has(metric), `dashboard lacks ${metric}`);
    const defined = definedMetrics();
    assert.deepEqual(
      [...used].filter((m) => !defined.has(m)),
      [],
    );
    assert.ok(!defined.has('chippy_orders_eaten_total'));
  });

  /** kafka_* metrics queried that neither the JMX agent (run with the brokers' rules) nor kafka-exporter serve. */
  let agent: Promise<Set<string>> | undefined;
  let connect: Promise<Set<string>> | undefined;
  async function kafkaMetricProblems(queries: string[]): Promise<string[]> {
    agent ??= jmxAgentMetrics(inRepo('deploy/compose/connect/jmx-exporter/kafka-broker.yml'));
    // The Connect worker's agent, over MBeans named as a Connect worker names them (jmx-connect.ts).
    connect ??= jmxConnectSamples(inRepo('deploy/compose/connect/jmx-exporter/kafka-connect.yml')).then(
      (samples) => new Set(samples.map((line) => line.split(/[{ ]/)[0]!)),
    );
    const produced = new Set([...(await agent), ...(await connect), ...KAFKA_EXPORTER_METRICS]);
    return [...new Set(queries.flatMap(kafkaMetricsIn))].filter((m) => !produced.has(m));
  }

  it("Kafka's own metrics sit beside chippy's: bytes in/out, under-replicated partitions, the brokers' view of lag, as the JMX agent and kafka-exporter name them", async () => {
    const used = new Set(exprs.flatMap(kafkaMetricsIn));
    for (const metric of [
      'kafka_server_brokertopicmetrics_bytesinpersec_total',
      'kafka_server_brokertopicmetrics_bytesoutpersec_total',
      'kafka_server_replicamanager_underreplicatedpartitions',
      'kafka_consumergroup_lag',
    ])
      assert.ok(used.has(metric), `dashboard lacks ${metric}`);
    assert.deepEqual(await kafkaMetricProblems(exprs), []);
    assert.deepEqual(await kafkaMetricProblems(['rate(kafka_server_brokertopicmetrics_bytesin_total[1m])']), [
      'kafka_server_brokertopicmetrics_bytesin_total',
    ]);
  });

  it('Prometheus scrapes the JMX agent and kafka-exporter where they listen', () => {
    const targets = (readYaml(promFile).scrape_configs as Json[]).flatMap((j) => [
      ...((j.static_configs as Json[] | undefined) ?? []).flatMap((s) => s.targets as string[]),
      ...((j.dns_sd_configs as Json[] | undefined) ?? []).flatMap((s) =>
        (s.names as string[]).map((name) => `${name}:${String(s.port)}`),
      ),
    ]);
    const kafka = services(compose).kafka!;
    // The agent is given to the broker's JVM by its command (see the Compose file), not its environment.
    const agentPort = /jmx_prometheus_javaagent\.jar=(\d+):/.exec((kafka.command as string[]).join(' '))?.[1];
    // Every broker carries the alias Prometheus looks up: one here, three with compose.cluster.yaml.
    const name = brokerAlias(kafka);
    assert.ok(targets.includes(`${name}:${String(agentPort)}`), `${name}:${String(agentPort)} scraped`);
    const exporter = services(compose)['kafka-exporter']!;
    const listen = /--web\.listen-address=:(\d+)/.exec((exporter.command as string[]).join(' '))?.[1];
    assert.ok(targets.includes(`kafka-exporter:${String(listen)}`));
  });

  it('every dashboard query parses as PromQL (promtool check rules), and a broken one does not', () => {
    assert.deepEqual(checkPromQL(exprs), []);
    assert.equal(checkPromQL(['sum by (till (rate(chippy_orders_placed_total[1m]))']).length, 1);
  });

  it('the provisioned datasource points at the compose prometheus service', () => {
    const ds = readYaml(inRepo('deploy/compose/grafana/provisioning/datasources/prometheus.yml'));
    const [source] = ds.datasources as Json[];
    assert.ok(isObject(source));
    assert.equal(source.url, 'http://prometheus:9090');
    assert.ok('prometheus' in services(compose));
  });
});

describe('Docker Compose on three brokers (compose.yaml + compose.cluster.yaml)', () => {
  const cluster = readYaml(inRepo('compose.cluster.yaml'));
  const merged = mergeCompose(readYaml(composeFile), cluster);

  it("the merged file validates and follows compose.yaml's rules", () => {
    assert.deepEqual(validateComposeSchema(merged), []);
    assert.deepEqual(composeRuleViolations(merged), []);
    assert.deepEqual(composeReferenceProblems(merged, composeDir, repoRoot), []);
    assert.deepEqual(composeJvmProbeProblems(merged), []);
    assert.deepEqual(envProblems(merged), []);
  });

  it('three voters with their own ids, every client given every broker, RF 3 and min.insync.replicas 2', () => {
    assert.deepEqual(
      Object.keys(services(merged)).filter((s) => /^kafka(-\d)?$/.test(s)),
      ['kafka', 'kafka-2', 'kafka-3'],
    );
    assert.deepEqual(clusterProblems(merged), []);
    assert.deepEqual(clusterProblems(readYaml(composeFile)), [], 'one broker is a cluster of one');
    const all = services(merged);
    assert.deepEqual(
      ['kafka', 'kafka-2', 'kafka-3'].map((b) => brokerAlias(all[b]!)),
      ['kafka-brokers', 'kafka-brokers', 'kafka-brokers'],
      'Prometheus finds all three by one name',
    );
  });

  it('a client given one broker, a broker outside the quorum, min.insync.replicas 1 are reported', () => {
    const edit = (change: (doc: Json) => void) => {
      const copy = structuredClone(merged);
      change(copy);
      return clusterProblems(copy);
    };
    const env = (doc: Json, service: string) => services(doc)[service]!.environment as Json;
    assert.deepEqual(
      edit((d) => (env(d, 'till').KAFKA_SERVICE_URI = 'kafka:9092')),
      ['till: KAFKA_SERVICE_URI leaves out kafka-2, kafka-3'],
    );
    assert.ok(
      edit((d) => (env(d, 'kafka-3').KAFKA_NODE_ID = '2')).includes(
        "kafka-3: node id 2 is another broker's too",
      ),
    );
    assert.ok(
      edit((d) => (env(d, 'kafka-2').KAFKA_MIN_INSYNC_REPLICAS = '1')).some((p) =>
        p.startsWith('kafka-2: min.insync.replicas 1'),
      ),
    );
    assert.deepEqual(
      edit((d) => (env(d, 'connect').CONNECT_REPLICATION_FACTOR = '1')),
      ['connect: CONNECT_REPLICATION_FACTOR 1 on 3 brokers'],
    );
  });
});
