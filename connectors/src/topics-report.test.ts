import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareTopics } from '@chippy/shop';
import { formatTopicsReport } from './topics-report.js';

describe('formatTopicsReport', () => {
  it('shows declared beside actual, marks drift and warns once per drifted setting or missing topic', () => {
    const rows = compareTopics('', 1, (topic) =>
      topic === 'cooked'
        ? undefined
        : {
            partitions: topic === 'orders' ? 12 : 3,
            replicationFactor: 1,
            configs: {
              'cleanup.policy': 'delete',
              'retention.ms': topic === 'orders-dlq' ? '2592000000' : '604800000',
            },
          },
    );
    const { lines, drift, missing } = formatTopicsReport(rows);
    assert.deepEqual({ drift, missing }, { drift: 1, missing: 1 });
    assert.equal(lines.at(-1), '1 setting(s) differ from the declaration, 1 topic(s) not created yet');
    assert.match(lines[0]!, /^topic +setting +declared +actual$/);
    assert.ok(lines.some((l) => /^orders +partitions +6 +12 +DRIFT$/.test(l)));
    assert.ok(
      lines.some((l) => /^orders-dlq +retention\.ms +2592000000 \(30 d\) +2592000000 \(30 d\)$/.test(l)),
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith('warning:')),
      [
        'warning: orders partitions is 12, declared 6; declared so because up to 6 preparers do useful work (ORDERS_PARTITIONS overrides it at creation)',
        'warning: cooked does not exist yet (services create it at start-up)',
      ],
    );
  });
});
