import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber, formatRatio, markdownTable } from './table.js';

describe('markdown tables', () => {
  it('numbers get decimals by size, missing ones a dash', () => {
    assert.equal(formatNumber(12345.6), '12,346');
    assert.equal(formatNumber(42.345), '42.3');
    assert.equal(formatNumber(1.234), '1.23');
    assert.equal(formatNumber(Number.NaN), '—');
    assert.equal(formatRatio(0.5), '0.50×');
    assert.equal(formatRatio(Number.POSITIVE_INFINITY), '—');
  });

  it('markdownTable right-aligns numeric columns and escapes pipes', () => {
    const table = markdownTable(
      ['scenario', 'orders/s', 'ratio'],
      [
        ['a|b', 1000, '0.50×'],
        ['c', undefined, '—'],
      ],
    );
    assert.equal(
      table,
      [
        '| scenario | orders/s | ratio |',
        '| --- | ---: | ---: |',
        '| a\\|b | 1,000 | 0.50× |',
        '| c | — | — |',
      ].join('\n'),
    );
  });
});
