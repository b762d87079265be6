import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from './testing/logs.js';

describe('createLogger', () => {
  it('writes JSON with service, instance and level name, and censors secrets', () => {
    const { logger, lines } = captureLogger('info');
    logger.info(
      { order_id: 'o1', password: 'a', config: { saslPassword: 'b' }, sasl: { password: 'c' } },
      'hello',
    );
    logger.debug('hidden');
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.service, 'test');
    assert.match(String(line.instance), /:\d+$/);
    assert.equal(line.level, 'info');
    assert.equal(line.order_id, 'o1');
    assert.equal(line.password, '***');
    assert.deepEqual(line.config, { saslPassword: '***' });
    assert.deepEqual(line.sasl, { password: '***' });
  });
});
