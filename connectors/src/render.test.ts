import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@chippy/runtime';
import {
  AIVEN_SECRET_KEYS,
  AIVEN_SECRET_PROVIDER,
  apicurioNativeApi,
  isProviderReference,
  connectorsDir,
  placeholders,
  redactConnector,
  render,
  renderConnector,
} from './render.js';
import { connectorSettings, targets } from './settings.js';

const configFrom = (env: Record<string, string>, argv: string[] = []) =>
  loadConfig({ name: 'test', description: '', settings: connectorSettings, argv, env });

describe('placeholders', () => {
  it('takes the JDBC URL and credentials out of the PostgreSQL URL', () => {
    const values = placeholders(
      configFrom({ DATABASE_URL: 'postgres://shop:s%40cret@db.example:6543/chippy?sslmode=require' }),
    );
    assert.equal(
      values.JDBC_URL,
      'jdbc:postgresql://db.example:6543/chippy?sslmode=require&reWriteBatchedInserts=true',
    );
    const aiven = placeholders(
      configFrom({ DATABASE_URL: 'postgres://shop@db.example:6543/chippy?sslmode=require' }, [
        '--target',
        'aiven',
      ]),
    );
    assert.equal(
      aiven.JDBC_URL,
      'jdbc:postgresql://db.example:6543/chippy?sslmode=require',
      'no dedupe: no rewrite',
    );
    assert.equal(values.JDBC_USER, 'shop');
    assert.equal(values.JDBC_PASSWORD, 's@cret');
  });

  it('prefers the database as the Connect worker sees it', () => {
    const values = placeholders(
      configFrom({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chippy',
        CONNECT_DATABASE_URL: 'postgres://postgres@postgres:5432/chippy',
      }),
    );
    assert.equal(values.JDBC_URL, 'jdbc:postgresql://postgres:5432/chippy?reWriteBatchedInserts=true');
  });

  it('leaves batched inserts as the URL sets them', () => {
    const values = placeholders(
      configFrom({ DATABASE_URL: 'postgres://postgres@db:5432/chippy?reWriteBatchedInserts=false' }),
    );
    assert.equal(values.JDBC_URL, 'jdbc:postgresql://db:5432/chippy?reWriteBatchedInserts=false');
  });

  it("points Apicurio's converter at the registry's own API on the native stack", () => {
    assert.equal(placeholders(configFrom({})).REGISTRY_URL, 'http://127.0.0.1:8081/apis/registry/v2');
    assert.equal(apicurioNativeApi('http://r:8081/apis/ccompat/v7/'), 'http://r:8081/apis/registry/v2');
  });

  it("keeps the registry's credentials out of the converter URL", () => {
    const values = placeholders(
      configFrom({ SCHEMA_REGISTRY_URI: 'https://avnadmin:pw@kafka.example:12346' }, ['--target', 'aiven']),
    );
    assert.equal(values.REGISTRY_URL, 'https://kafka.example:12346');
  });
});

describe('render', () => {
  it('fills placeholders, escaping for JSON', () => {
    assert.deepEqual(render('{"a": "${X}-${Y}"}', { X: 'q"uote', Y: '' }), { a: 'q"uote-' });
  });

  it('names every placeholder it has no value for', () => {
    assert.throws(() => render('{"a": "${X}${Z}"}', {}), /no value for placeholder\(s\) X, Z/);
  });

  it('renders every target and format with upsert on order_id and a dead-letter topic', () => {
    for (const target of targets) {
      for (const format of ['avro', 'json']) {
        const config = renderConnector(
          configFrom({ TOPIC_PREFIX: 'p-' }, ['--target', target, '--format', format]),
        );
        const where = `${target}-${format}`;
        assert.equal(config.topics, 'p-orders', where);
        assert.equal(config['insert.mode'], 'upsert', where);
        assert.equal(config['primary.key.fields'] ?? config['pk.fields'], 'order_id', where);
        assert.equal(config['errors.deadletterqueue.topic.name'], 'p-orders-sink-dlq', where);
        assert.equal(config['errors.tolerance'], 'all', where);
        const converter = config['value.converter'] ?? '';
        assert.ok(format === 'json' ? converter.endsWith('JsonConverter') : /Avro/.test(converter), where);
      }
    }
  });

  it("names Aiven's secrets only through its Connect service's ENV secret provider, never their values", () => {
    for (const format of ['avro', 'json']) {
      const config = renderConnector(
        configFrom(
          {
            DATABASE_URL: 'postgres://avnadmin:pgsecret@pg.example:12347/defaultdb?sslmode=require',
            SCHEMA_REGISTRY_URI: 'https://avnadmin:regsecret@kafka.example:12346',
          },
          ['--target', 'aiven', '--format', format],
        ),
      );
      assert.equal(config['connection.password'], `\${${AIVEN_SECRET_PROVIDER}:pg_password}`);
      if (format === 'avro')
        assert.equal(
          config['value.converter.basic.auth.user.info'],
          `\${${AIVEN_SECRET_PROVIDER}:registry_user_info}`,
        );
      const text = JSON.stringify(config);
      assert.ok(!text.includes('pgsecret') && !text.includes('regsecret'), format);
      for (const ref of text.match(/\$\{chippy:[a-z_]+\}/g) ?? [])
        assert.ok((AIVEN_SECRET_KEYS as readonly string[]).includes(ref.slice(9, -1)), ref);
      assert.deepEqual(redactConnector(config), config, 'a reference is shown as it is');
    }
  });

  it('masks secrets when a config is shown', () => {
    const shown = redactConnector(
      renderConnector(configFrom({ DATABASE_URL: 'postgres://u:topsecret@h:5432/d' })),
    );
    assert.equal(shown['connection.password'], '***');
    assert.ok(!JSON.stringify(shown).includes('topsecret'));
  });
});

describe('the sink templates', () => {
  it('carry no credentials of their own', () => {
    const dir = path.join(connectorsDir, 'sink');
    for (const file of readdirSync(dir)) {
      const config = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, string>;
      for (const key of ['connection.password', 'connection.user', 'connection.username']) {
        // A deploy-time placeholder, or a Kafka config provider reference the worker resolves.
        if (key in config)
          assert.ok(
            /^\$\{[A-Z_]+\}$/.test(config[key]!) || isProviderReference(config[key]!),
            `${file}: ${key} is ${config[key]}`,
          );
      }
    }
  });
});
