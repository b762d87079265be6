import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('labels every series with the service and includes process metrics', async () => {
    const metrics = createMetrics('till');
    metrics.counter('chippy_orders_placed_total', 'Orders placed', ['till']).inc({ till: 't1' });
    metrics.dlqMessages.inc({ topic: 'orders', reason: 'empty' });
    metrics.consumerLag.set({ group: 'preparers', topic: 'orders', partition: '0' }, 5);
    metrics.histogram('chippy_order_prepare_seconds', 'Prepare time').observe(0.7);
    const text = await metrics.registry.metrics();
    assert.match(text, /chippy_orders_placed_total\{till="t1",service="till"\} 1/);
    assert.match(text, /chippy_dlq_messages_total\{topic="orders",reason="empty",service="till"\} 1/);
    assert.match(
      text,
      /chippy_consumer_lag\{group="preparers",topic="orders",partition="0",service="till"\} 5/,
    );
    assert.match(text, /chippy_order_prepare_seconds_bucket\{le="1",service="till"\} 1/);
    assert.match(text, /process_cpu_seconds_total/);
  });
});
