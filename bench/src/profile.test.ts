import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busyShare, shortLocation, topSelfTime, type CpuProfile } from './profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('reading a CPU profile', () => {
  it('shortLocation trims node_modules and the repository root', () => {
    assert.equal(shortLocation('file:///r/node_modules/kafkajs/src/x.js', '/r'), 'kafkajs/src/x.js');
    assert.equal(shortLocation('file:///r/libs/a.js', '/r'), 'libs/a.js');
    assert.equal(shortLocation('node:internal/x', '/r'), 'node:internal/x');
  });

  it('topSelfTime sums samples per function and leaves idle out', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('encode', 'file:///r/libs/serde.js', 9) },
        { id: 4, callFrame: frame('encode', 'file:///r/libs/serde.js', 9) },
        { id: 5, callFrame: frame('(garbage collector)') },
      ],
      startTime: 0,
      endTime: 10_000, // µs: 10 ms over 10 samples
      samples: [2, 2, 2, 2, 3, 4, 3, 5, 3, 1],
    };
    const top = topSelfTime(profile, '/r', 5);
    assert.deepEqual(
      top.map((t) => [t.name, t.share]),
      [
        ['encode (libs/serde.js:10)', 0.8],
        ['(garbage collector)', 0.2],
      ],
    );
    assert.equal(top[0]!.ms, 4);
    assert.equal(busyShare(profile), 0.6);
  });
});
