import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createKafka, describeKafka, producerOptions, type KafkaConfig } from './kafka.js';
import { captureLogger } from './log-capture.js';

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
  it('uses SSL only when all three Aiven files are there', () => {
    assert.equal(describeKafka(plain), 'plaintext');
    assert.equal(describeKafka({ ...plain, certsDir: certsDir(['ca.pem', 'service.cert']) }), 'plaintext');
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
});

describe('producerOptions', () => {
  it('asks for an idempotent producer with one request in flight', () => {
    assert.equal(producerOptions().idempotent, true);
    assert.equal(producerOptions().maxInFlightRequests, 1);
  });
});
