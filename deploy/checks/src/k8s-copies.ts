import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inRepo } from './repo.js';

/** deploy/k8s in the repository. */
export const k8s = inRepo('deploy/k8s');

/** The rendered directories, their path under deploy/k8s, and where each one's user-supplied Secrets are listed. */
export const TREES = [
  ['deploy/k8s', '.', ['base']],
  ['deploy/k8s/overlays/aiven', 'overlays/aiven', ['base', 'overlays/aiven']],
  ['deploy/k8s/optional/keda', 'optional/keda', ['base']],
  ['deploy/k8s/overlays/strimzi', 'overlays/strimzi', ['base', 'overlays/strimzi']],
] as const;

/**
 * A copy of deploy/k8s with files changed (each edit must change its file), for the checks' broken-copy
 * tests; returns the copy's root.
 */
export function brokenK8s(edits: Record<string, (text: string) => string>): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-k8s-')), 'k8s');
  cpSync(k8s, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const target = path.join(dir, file);
    const before = readFileSync(target, 'utf8');
    const after = edit(before);
    assert.notEqual(after, before, `the edit of ${file} changed nothing`);
    writeFileSync(target, after);
  }
  return dir;
}
