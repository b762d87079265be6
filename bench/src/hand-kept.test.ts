import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { handKeptSection, writePage } from './hand-kept.js';

const handKept = [
  '## Measured outside `npm run bench`',
  '',
  'Kept by hand.',
  '',
  '### The native stack',
  '',
  '- `stack:up` ≈ 100 s.',
  '',
].join('\n');

function inTempDir(run: (file: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'chippy-bench-'));
  try {
    run(path.join(dir, 'benchmarks.md'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('writePage', () => {
  it('a new run replaces the generated part and keeps the hand-kept section as it was', () => {
    inTempDir((file) => {
      writeFileSync(file, `# Benchmarks\n\nold run\n\n## Notes from this run\n\n- old note\n\n${handKept}`);
      writePage(file, '# Benchmarks\n\nnew run\n');
      assert.equal(readFileSync(file, 'utf8'), `# Benchmarks\n\nnew run\n\n${handKept}`);
      writePage(file, '# Benchmarks\n\nnewer run\n');
      assert.equal(readFileSync(file, 'utf8'), `# Benchmarks\n\nnewer run\n\n${handKept}`, 'and again');
    });
  });

  it('without a hand-kept section, or without a page, the page is the generated one', () => {
    inTempDir((file) => {
      writePage(file, '# Benchmarks\n\nfirst run\n');
      assert.equal(readFileSync(file, 'utf8'), '# Benchmarks\n\nfirst run\n');
      writePage(file, '# Benchmarks\n\nsecond run\n');
      assert.equal(readFileSync(file, 'utf8'), '# Benchmarks\n\nsecond run\n');
    });
  });

  it("the repository's docs/benchmarks.md has a section the bench keeps", () => {
    const page = readFileSync(path.join(repoRoot, 'docs/benchmarks.md'), 'utf8');
    assert.match(handKeptSection(page) ?? '', /^## Measured outside `npm run bench`\n/);
  });
});
