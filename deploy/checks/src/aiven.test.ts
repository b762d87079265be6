import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  aivenSinkProblems,
  avnCommands,
  avnProblems,
  literalValue,
  referencedSecrets,
  readSecretProviders,
  secretProvidersProgram,
  secretsCreated,
  shellLines,
} from './aiven.js';
import { render } from './k8s.js';
import { containersOf } from './k8s.js';
import { userSuppliedSecrets } from './k8s-refs.js';
import { type Json, inRepo } from './repo.js';

const doc = readFileSync(inRepo('docs/aiven.md'), 'utf8');
const lines = shellLines(doc);

/** What the walkthrough's shell variables hold, made up: each secret is a string the test can look for. */
const VARS: Record<string, string> = {
  PG_PASSWORD: 'pg-secret-7Hq2',
  PG_HOST: 'chippy-pg-my-project.a.aivencloud.com',
  PG_PORT: '12691',
  REGISTRY_USER_INFO: 'avnadmin:registry-secret-Zt81',
  SCHEMA_REGISTRY_URI: 'https://avnadmin:registry-secret-Zt81@chippy-kafka-my-project.a.aivencloud.com:12693',
  CONNECT_URL: 'https://avnadmin:connect-secret-Lw09@chippy-connect-my-project.a.aivencloud.com:443',
  KAFKA_SERVICE_URI: 'chippy-kafka-my-project.a.aivencloud.com:12690',
};
const SECRET_VALUES = ['pg-secret-7Hq2', 'registry-secret-Zt81', 'connect-secret-Lw09'];

/** The walkthrough's secret_providers value, made by its own jq program. */
function secretProviders(program = secretProvidersProgram(lines)): unknown {
  assert.ok(program, 'docs/aiven.md has the secret_providers step');
  const jq = spawnSync(
    'jq',
    ['-nc', '--arg', 'pg', VARS.PG_PASSWORD!, '--arg', 'registry', VARS.REGISTRY_USER_INFO!, program],
    { encoding: 'utf8' },
  );
  assert.equal(jq.status, 0, jq.stderr);
  return JSON.parse(jq.stdout);
}

/** The connector the setup Job renders from the walkthrough's Secrets (connectors render, as deploy does). */
function renderedConnector(
  format: 'avro' | 'json',
  env: Record<string, string | undefined>,
): Record<string, string> {
  const result = spawnSync(
    process.execPath,
    [inRepo('connectors/dist/cli.js'), 'render', '--target', 'aiven', '--format', format],
    { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.ok(
    !SECRET_VALUES.some((s) => (result.stdout + result.stderr).includes(s)),
    'no secret in the output',
  );
  return JSON.parse(result.stdout) as Record<string, string>;
}

const jobEnv = () => ({
  DATABASE_URL: literalValue(lines, 'DATABASE_URL', VARS),
  CONNECT_DATABASE_URL: literalValue(lines, 'CONNECT_DATABASE_URL', VARS),
  SCHEMA_REGISTRY_URI: VARS.SCHEMA_REGISTRY_URI,
  CONNECT_URL: VARS.CONNECT_URL,
  TOPIC_REPLICATION_FACTOR: '3',
});

describe('docs/aiven.md: the Aiven walkthrough, checked offline', () => {
  it("every avn command and flag is one Aiven's CLI reference lists", () => {
    const commands = avnCommands(lines).map((c) => c.command);
    for (const expected of [
      'service create',
      'service user-creds-download',
      'service update',
      'service terminate',
    ])
      assert.ok(commands.includes(expected), expected);
    assert.deepEqual(avnProblems(lines), []);
  });

  it("the secret provider step makes the ENV secret provider's shape, with every secret the connector names", () => {
    const { providers, problems } = readSecretProviders(secretProviders());
    assert.deepEqual(problems, []);
    assert.deepEqual(Object.keys(providers.get('chippy') ?? {}).sort(), [
      'pg_password',
      'registry_user_info',
    ]);
  });

  it("the connector the Job renders from the walkthrough's Secrets is Aiven's JDBC sink, reaching Aiven's PostgreSQL with no password in it", () => {
    const { providers } = readSecretProviders(secretProviders());
    for (const format of ['avro', 'json'] as const) {
      const config = renderedConnector(format, jobEnv());
      assert.deepEqual(aivenSinkProblems(config, providers, SECRET_VALUES), [], format);
      assert.equal(
        config['connection.url'],
        `jdbc:postgresql://${VARS.PG_HOST}:${VARS.PG_PORT}/defaultdb?sslmode=require`,
        'the address Aiven’s Connect reaches, not the in-cluster one',
      );
      assert.equal(config['connection.user'], 'avnadmin');
    }
  });

  it('the Secrets the walkthrough creates are the ones the overlay needs, key for key; its edit points the overlay at the service', () => {
    const root = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-aiven-')), 'k8s');
    cpSync(inRepo('deploy/k8s'), root, { recursive: true });
    const kustomization = path.join(root, 'overlays/aiven/kustomization.yaml');
    const sed = lines.find((l) => l.startsWith('sed -i') && l.includes('KAFKA_SERVICE_URI'));
    assert.ok(sed, 'the walkthrough sets the service URI');
    // The walkthrough's sed: s#KAFKA_SERVICE_URI=.*#KAFKA_SERVICE_URI=$KAFKA_SERVICE_URI#
    const before = readFileSync(kustomization, 'utf8');
    writeFileSync(
      kustomization,
      before.replace(/KAFKA_SERVICE_URI=.*/, `KAFKA_SERVICE_URI=${VARS.KAFKA_SERVICE_URI}`),
    );
    const objects = render(path.join(root, 'overlays/aiven'));
    const common = objects.find(
      (o) => o.kind === 'ConfigMap' && String((o.metadata as Json).name).startsWith('chippy-common'),
    );
    assert.equal((common?.data as Json).KAFKA_SERVICE_URI, VARS.KAFKA_SERVICE_URI);
    const created = secretsCreated(lines);
    const listed = referencedSecrets(
      objects,
      userSuppliedSecrets([path.join(root, 'base'), path.join(root, 'overlays/aiven')]),
    );
    assert.deepEqual(
      [...created].map(([name, keys]) => [name, [...keys].sort()]).sort(),
      [...listed].map(([name, keys]) => [name, [...keys].sort()]).sort(),
    );
    const job = objects.find((o) => o.kind === 'Job');
    const env = ((containersOf(job as Json)[0]?.env ?? []) as Json[]).map((e) => String(e.name));
    assert.ok(env.includes('CONNECT_DATABASE_URL') && env.includes('DATABASE_URL'));
  });

  describe('each check fails on a broken copy', () => {
    it('a flag the reference does not list, and a command it does not have', () => {
      const broken = shellLines(
        doc
          .replace('--service-type kafka --cloud', '--type kafka --cloud')
          .replace('avn service wait chippy-pg', 'avn service await chippy-pg'),
      );
      const problems = avnProblems(broken).join('\n');
      assert.match(
        problems,
        /avn service create: --type is not among its flags in https:\/\/aiven.io\/docs\/tools\/cli\/service-cli/,
      );
      assert.match(problems, /avn service: not a command the reference lists/);
    });

    it('a secret the providers lack, an option the sink does not have, a password in plain text, a URL without TLS', () => {
      const { providers } = readSecretProviders(
        secretProviders('[{name: "chippy", env: {secrets: {pg_password: $pg}}}]'),
      );
      const config = renderedConnector('avro', jobEnv());
      const problems = aivenSinkProblems(
        {
          ...config,
          'pk.field': 'order_id',
          'insert.mode': 'merge',
          'connection.url': config['connection.url']!.replace('?sslmode=require', ''),
        },
        providers,
      ).join('\n');
      assert.match(
        problems,
        /value.converter.basic.auth.user.info: \$\{chippy:registry_user_info\} names no secret/,
      );
      assert.match(problems, /pk.field: not an option of Aiven's JDBC sink/);
      assert.match(problems, /insert.mode: merge is not one of insert, multi, upsert, update/);
      assert.match(problems, /does not ask for TLS/);
      const inCluster = renderedConnector('avro', {
        ...jobEnv(),
        DATABASE_URL: 'postgres://chippy:pw@postgres:5432/chippy?sslmode=require',
        CONNECT_DATABASE_URL: undefined,
      });
      assert.match(
        aivenSinkProblems(inCluster, providers).join('\n'),
        /connection.url names postgres, a name inside your cluster or machine: Aiven's Connect cannot reach it/,
      );
      const plain = aivenSinkProblems(
        { ...config, 'connection.password': VARS.PG_PASSWORD! },
        providers,
        SECRET_VALUES,
      );
      assert.match(plain.join('\n'), /connection.password: a value in plain text/);
      assert.match(plain.join('\n'), /connection.password: holds a secret value in plain text/);
    });

    it('a walkthrough Secret missing a key the overlay reads', () => {
      const broken = shellLines(
        doc.replace('  --from-literal=CONNECT_DATABASE_URL=', '  --from-literal=CONNECT_DB_URL='),
      );
      assert.ok(!secretsCreated(broken).get('chippy-aiven')?.has('CONNECT_DATABASE_URL'));
    });
  });
});
