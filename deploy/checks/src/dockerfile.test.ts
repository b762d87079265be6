import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { lintDockerfile } from './dockerfile.js';
import { inRepo } from './repo.js';

const serviceImage = inRepo('deploy/compose/Dockerfile');
const connectImage = inRepo('deploy/compose/connect/Dockerfile');
const serviceRules = { multiStage: true, npmCiOmitDev: true };

function brokenCopy(file: string, edit: (text: string) => string): string {
  const copy = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-dockerfile-')), 'Dockerfile');
  writeFileSync(copy, edit(readFileSync(file, 'utf8')));
  return copy;
}

describe('Dockerfiles (dockerfile-utils 0.16.3 plus the image rules)', () => {
  test('the service image: multi-stage, pinned bases, npm ci --omit=dev, non-root, healthcheck', () => {
    assert.deepEqual(lintDockerfile(serviceImage, serviceRules), []);
  });

  test('the Connect image: pinned bases, non-root, healthcheck', () => {
    assert.deepEqual(lintDockerfile(connectImage), []);
  });

  test('an unpinned base, root user, missing healthcheck or npm ci without --omit=dev is reported', () => {
    const copy = brokenCopy(serviceImage, (t) =>
      t
        .replace('FROM node:20.19.5-bookworm-slim AS runtime', 'FROM node:latest AS runtime')
        .replace('USER node', 'USER root')
        .replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '')
        .replace('npm ci --omit=dev', 'npm ci'),
    );
    const problems = lintDockerfile(copy, serviceRules).join('\n');
    assert.match(problems, /base image node:latest is not pinned/);
    assert.match(problems, /runs as root/);
    assert.match(problems, /no HEALTHCHECK/);
    assert.match(problems, /npm ci --omit=dev/);
  });

  test("the linter's own diagnostics fail the check (unknown instruction, bad flag)", () => {
    const copy = brokenCopy(connectImage, (t) =>
      t
        .replace('EXPOSE 8083', 'EXPOSE 8083\nEXPOSES 8084')
        .replace('COPY --from=plugins', 'COPY --frm=plugins'),
    );
    const problems = lintDockerfile(copy).join('\n');
    assert.match(problems, /EXPOSES/);
    assert.match(problems, /frm/);
  });
});
