import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullRun, parseArgs, parts, quickRun, usage } from './modes.js';
import { issueGoals } from './report.js';

describe('the bench runs', () => {
  it('no option is the full run, --quick the quick one, --help the usage', () => {
    assert.deepEqual(parseArgs([]), { mode: fullRun });
    assert.deepEqual(parseArgs(['--quick']), { mode: quickRun });
    assert.deepEqual(parseArgs(['--quick', '--help']), { help: true });
    assert.match(usage, /^Usage: npm run bench/);
  });

  it('an unknown option is one line naming it, not a full run started by a typo', () => {
    const parsed = parseArgs(['--quik']);
    assert.ok('error' in parsed);
    assert.match(parsed.error, /unknown option --quik/);
    assert.doesNotMatch(parsed.error, /\n/);
    assert.ok('error' in parseArgs(['--quick', 'extra']));
  });

  it("the quick run keeps the headline rows, skips the rest and never writes the full run's page", () => {
    assert.deepEqual(quickRun.parts, ['shop', 'loads', 'cook']);
    assert.deepEqual(fullRun.parts, Object.keys(parts));
    assert.notEqual(quickRun.outDir, fullRun.outDir);
    assert.doesNotMatch(quickRun.outDir, /^docs\b/);
    assert.deepEqual(
      [quickRun.backlog, quickRun.drainSeconds, quickRun.warmupSeconds],
      [fullRun.backlog, fullRun.drainSeconds, fullRun.warmupSeconds],
      'the drains the quick run keeps are measured as the full run measures them',
    );
    assert.equal(quickRun.windowSeconds, fullRun.windowSeconds, 'the live loads keep their samples');
  });

  it('both runs offer the light fixed load the p99 goal is judged at', () => {
    assert.equal(fullRun.lightLoad, issueGoals.lightLoad);
    assert.equal(quickRun.lightLoad, issueGoals.lightLoad);
  });
});
