import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import {
  createKafka,
  describeKafka,
  kafkaErrorHint,
  kafkaSettingsProblem,
  parseCertsDir,
  producerOptions,
  transactionalProducerOptions,
  type KafkaConfig,
} from './kafka.js';

const plain: KafkaConfig = {
  kafkaUri: '127.0.0.1:9092',
  certsDir: '/nonexistent',
  saslMechanism: 'none',
  saslUsername: '',
  saslPassword: '',
};

function certsDir(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'chippy-certs-'));
  for (const file of files) writeFileSync(join(dir, file), `-- ${file} --`);
  return dir;
}

describe('describeKafka', () => {
  it('uses SSL with a client certificate when all three Aiven files are there, without one for ca.pem alone', () => {
    assert.equal(describeKafka(plain), 'plaintext');
    assert.equal(describeKafka({ ...plain, certsDir: certsDir(['ca.pem']) }), 'ssl (no client certificate)');
    assert.equal(
      describeKafka({ ...plain, certsDir: certsDir(['ca.pem', 'service.cert', 'service.key']) }),
      'ssl',
    );
  });

  it('uses SASL over SSL when a CA is there, else over plaintext', () => {
    const sasl = { ...plain, saslMechanism: 'scram-sha-512' as const, saslUsername: 'u', saslPassword: 'p' };
    assert.equal(describeKafka(sasl), 'sasl_plaintext (scram-sha-512)');
    assert.equal(describeKafka({ ...sasl, certsDir: certsDir(['ca.pem']) }), 'sasl_ssl (scram-sha-512)');
  });
});

describe('parseCertsDir (a directory named explicitly)', () => {
  it('accepts the Aiven layout and ca.pem alone', () => {
    const dir = certsDir(['ca.pem', 'service.cert', 'service.key']);
    assert.equal(parseCertsDir(dir), dir);
    const caOnly = certsDir(['ca.pem']);
    assert.equal(parseCertsDir(caOnly), caOnly);
  });

  it('refuses a missing directory, a file, an empty directory and half a client certificate', () => {
    assert.throws(() => parseCertsDir('/nonexistent/certs'), /does not exist/);
    const dir = certsDir(['ca.pem']);
    assert.throws(() => parseCertsDir(join(dir, 'ca.pem')), /is not a directory/);
    assert.throws(() => parseCertsDir(certsDir([])), /holds none of ca\.pem, service\.cert, service\.key/);
    assert.throws(
      () => parseCertsDir(certsDir(['ca.pem', 'service.cert'])),
      /service\.cert but not service\.key/,
    );
    assert.throws(() => parseCertsDir(certsDir(['service.cert', 'service.key'])), /but not ca\.pem/);
  });
});

describe('kafkaSettingsProblem', () => {
  it('names the setting when settings do not fit together', () => {
    assert.equal(kafkaSettingsProblem(plain), undefined);
    assert.match(
      kafkaSettingsProblem({ ...plain, certsDir: certsDir(['ca.pem', 'service.key']) }) ?? '',
      /^invalid KAFKA_CERTS_DIR \(--certs-dir\): .* holds service\.key but not service\.cert$/,
    );
    const scram = { ...plain, saslMechanism: 'scram-sha-256' as const };
    assert.match(kafkaSettingsProblem(scram) ?? '', /^missing KAFKA_SASL_USERNAME \(--sasl-username\)/);
    assert.match(
      kafkaSettingsProblem({ ...scram, saslUsername: 'u' }) ?? '',
      /^missing KAFKA_SASL_PASSWORD \(--sasl-password\)/,
    );
    const withCa = { ...scram, saslUsername: 'u', saslPassword: 'p', certsDir: certsDir(['ca.pem']) };
    assert.equal(kafkaSettingsProblem(withCa), undefined);
  });

  it('refuses SASL without TLS unless KAFKA_SASL_PLAINTEXT allows it, naming that setting', () => {
    const clear = { ...plain, saslMechanism: 'plain' as const, saslUsername: 'u', saslPassword: 'p' };
    assert.match(
      kafkaSettingsProblem(clear) ?? '',
      /^KAFKA_SASL_PLAINTEXT \(--sasl-plaintext\) is not set: KAFKA_SASL_MECHANISM=plain without ca\.pem/,
    );
    assert.equal(kafkaSettingsProblem({ ...clear, saslPlaintext: true }), undefined);
  });
});

describe('kafkaErrorHint', () => {
  const alert = (text: string) =>
    `Connection error: 805C:error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert ${text}:rec_layer_s3.c:1601`;
  const ssl = { ...plain, certsDir: certsDir(['ca.pem', 'service.cert', 'service.key']) };

  it('says what to check for TLS and SASL failures whose text does not', () => {
    assert.match(kafkaErrorHint(alert('certificate unknown'), ssl) ?? '', /rejected the client certificate/);
    assert.match(kafkaErrorHint(alert('bad certificate'), ssl) ?? '', /rejected the client certificate/);
    assert.match(
      kafkaErrorHint(alert('bad certificate'), { ...plain, certsDir: certsDir(['ca.pem']) }) ?? '',
      /asks for a client certificate/,
    );
    assert.match(
      kafkaErrorHint('Connection error: unable to verify the first certificate', ssl) ?? '',
      /broker's certificate is not trusted/,
    );
    assert.match(kafkaErrorHint('Closed connection', plain) ?? '', /without TLS.*-d/);
    assert.match(
      kafkaErrorHint('SASL SCRAM SHA256 authentication failed: invalid credentials', plain) ?? '',
      /KAFKA_SASL_PASSWORD/,
    );
  });

  it('adds nothing to errors that say enough', () => {
    assert.equal(kafkaErrorHint('Connection error: connect ECONNREFUSED 127.0.0.1:9092', plain), undefined);
    assert.equal(kafkaErrorHint('Closed connection', ssl), undefined);
  });

  it('puts the hint on kafkajs error lines', () => {
    const { logger, lines } = captureLogger('info');
    createKafka(plain, 'test', logger).logger().error('Closed connection', { retryCount: 0 });
    assert.match(String(lines[0]?.hint), /without TLS/);
  });
});

describe('createKafka', () => {
  it('routes kafkajs logs to pino at the same level, without secrets', () => {
    const { logger, lines } = captureLogger('info');
    const kafka = createKafka(plain, 'test', logger);
    kafka.logger().warn('broker went away', { broker: 'b:1', sasl: { password: 'hunter2' } });
    kafka.logger().debug('not at info level');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, 'warn');
    assert.equal(lines[0]?.msg, 'broker went away');
    assert.equal(lines[0]?.component, 'kafkajs');
    assert.equal(lines[0]?.broker, 'b:1');
    assert.doesNotMatch(JSON.stringify(lines), /hunter2/);
  });

  it("puts kafkajs's error under err, as chippy's own lines have it", () => {
    const { logger, lines } = captureLogger('info');
    createKafka(plain, 'test', logger)
      .logger()
      .error('Crash', { groupId: 'g', error: 'The coordinator is loading' });
    assert.equal(lines[0]?.err, 'The coordinator is loading');
    assert.equal(lines[0]?.error, undefined);
    assert.equal(lines[0]?.groupId, 'g');
  });
});

describe('producerOptions', () => {
  it('asks for an idempotent producer with one request in flight', () => {
    assert.equal(producerOptions().idempotent, true);
    assert.equal(producerOptions().maxInFlightRequests, 1);
  });

  it('retries without limit, at most 2 s apart, so a send outlasts a leader election by seconds, not half a minute', () => {
    assert.deepEqual(producerOptions().retry, { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 });
    assert.equal(transactionalProducerOptions('t').retry?.maxRetryTime, 2_000);
  });
});
