import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndToEndLatency, toolGroups } from './scenarios/floor.js';

/**
 * What EndToEndLatency prints for 1,000 round trips on a topic that exists: a progress line for every
 * 1,000th (its number, a tab, its ms), then printResults's two lines ("Avg latency: %.4f ms%n",
 * "Percentiles: 50th = %d, 99th = %d, 99.9th = %d%n").
 */
const sample = [
  '0\t33.717417',
  'Avg latency: 2.2417 ms',
  'Percentiles: 50th = 2, 99th = 6, 99.9th = 23',
  '',
].join('\n');

describe("Kafka's EndToEndLatency as the floor", () => {
  it('its summary gives the mean and the percentiles, not the progress line', () => {
    assert.deepEqual(parseEndToEndLatency(sample), { avgMs: 2.2417, p50: 2, p99: 6, p999: 23 });
  });

  it('output without a summary (its usage, a failed run) is an error, not a floor of 0 ms', () => {
    assert.throws(
      () => parseEndToEndLatency('Missing required argument "[bootstrap-server]"\n'),
      /no summary in EndToEndLatency output/,
    );
    assert.throws(() => parseEndToEndLatency('0\t33.717417\n'), /no summary/);
  });

  it("the tool's consumer groups are found by the time in their name", () => {
    const groups = [
      'test-group-1000',
      'test-group-2500',
      'test-group-4000',
      'bench-x-preparers',
      'test-group-',
    ];
    assert.deepEqual(toolGroups(groups, 2000, 4000), ['test-group-2500', 'test-group-4000']);
    assert.deepEqual(toolGroups(groups, 5000, 6000), []);
  });
});
