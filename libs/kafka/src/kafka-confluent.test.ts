import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@chippy/runtime';
import { Kafka } from 'kafkajs';
import { createKafka } from './kafka.js';

const config = {
  kafkaUri: '127.0.0.1:9092',
  certsDir: 'no-such-certs-dir',
  saslMechanism: 'none' as const,
  saslUsername: '',
  saslPassword: '',
};
const logger = createLogger('test', 'silent');

let installed = true;
try {
  (await import('node:module')).createRequire(import.meta.url).resolve('@confluentinc/kafka-javascript');
} catch {
  installed = false;
}

describe('createKafka and KAFKA_CLIENT', () => {
  it('KAFKA_CLIENT=kafkajs (the default) makes a kafkajs client', () => {
    const kafka = createKafka(config, 'test', logger);
    assert.ok(kafka instanceof Kafka, `a kafkajs Kafka, not ${kafka.constructor.name}`);
  });

  it('KAFKA_CLIENT=confluent without the module says how to get it', { skip: installed }, () => {
    assert.throws(
      () => createKafka({ ...config, kafkaClient: 'confluent' }, 'test', logger),
      /KAFKA_CLIENT=confluent needs @confluentinc\/kafka-javascript.*install-confluent/,
    );
  });

  it('KAFKA_CLIENT=confluent gives the kafkajs-shaped factory', { skip: !installed }, () => {
    const kafka = createKafka({ ...config, kafkaClient: 'confluent' }, 'test', logger);
    const consumer = kafka.consumer({ groupId: 'g' });
    assert.equal(consumer.events.GROUP_JOIN, 'consumer.group_join');
    assert.equal(typeof kafka.producer().send, 'function');
    assert.equal(typeof kafka.admin().createTopics, 'function');
  });
});
