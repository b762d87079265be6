import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { alive } from './processes.js';

describe('alive', () => {
  it('is true for a running process and false for a zombie its parent has not reaped yet', () => {
    const child = spawn('sleep', ['0.2'], { stdio: 'ignore' });
    const pid = child.pid!;
    assert.equal(alive(pid), true);
    // Block the event loop past the child's exit, so Node cannot reap it: it is a zombie meanwhile.
    spawnSync('sleep', ['0.6']);
    assert.equal(alive(pid), false);
  });

  it('is false for a pid that does not exist', () => {
    assert.equal(alive(2 ** 22 + 12345), false);
  });
});
