import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { serviceNodeOptions } from '@chippy/local-stack/node-options';
import { copySourceProblems, imageWorkspaceProblems, lintDockerfile } from './dockerfile.js';
import { inRepo, repoRoot } from './repo.js';

const serviceImage = inRepo('deploy/compose/Dockerfile');
const connectImage = inRepo('deploy/compose/connect/Dockerfile');
const serviceRules = { multiStage: true, npmCiOmitDev: true };

function brokenCopy(file: string, edit: (text: string) => string): string {
  const copy = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-dockerfile-')), 'Dockerfile');
  writeFileSync(copy, edit(readFileSync(file, 'utf8')));
  return copy;
}

describe('Dockerfiles (dockerfile-utils 0.16.3 plus the image rules)', () => {
  it('the service image: multi-stage, pinned bases, npm ci --omit=dev, non-root, healthcheck', () => {
    assert.deepEqual(lintDockerfile(serviceImage, serviceRules), []);
  });

  it('the Connect image: pinned bases, non-root, healthcheck', () => {
    assert.deepEqual(lintDockerfile(connectImage), []);
  });

  it('an unpinned base, root user, missing healthcheck or npm ci without --omit=dev is reported', () => {
    const copy = brokenCopy(serviceImage, (t) =>
      t
        .replace('FROM node:24.21.0-bookworm-slim AS runtime', 'FROM node:latest AS runtime')
        .replace('USER 1000:1000', 'USER root')
        .replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '')
        .replace('npm ci --omit=dev', 'npm ci'),
    );
    const problems = lintDockerfile(copy, serviceRules).join('\n');
    assert.match(problems, /base image node:latest is not pinned/);
    assert.match(problems, /runs as root/);
    assert.match(problems, /no HEALTHCHECK/);
    assert.match(problems, /npm ci --omit=dev/);
  });

  it("the linter's own diagnostics fail the check (unknown instruction, bad flag)", () => {
    const copy = brokenCopy(connectImage, (t) =>
      t
        .replace('EXPOSE 8083', 'EXPOSE 8083\nEXPOSES 8084')
        .replace('COPY --from=plugins', 'COPY --frm=plugins'),
    );
    const problems = lintDockerfile(copy).join('\n');
    assert.match(problems, /EXPOSES/);
    assert.match(problems, /frm/);
  });

  it("the service image runs node with the services' heap flags, the same as npm start", () => {
    const set = readFileSync(serviceImage, 'utf8').match(/^ENV NODE_OPTIONS="([^"]*)"$/m)?.[1];
    assert.equal(set, serviceNodeOptions, 'ENV NODE_OPTIONS in deploy/compose/Dockerfile');
  });

  it('the service image installs and copies every chippy package its programs import', () => {
    assert.deepEqual(imageWorkspaceProblems(serviceImage, repoRoot), []);
  });

  it('a package the programs import but the image leaves out is reported', () => {
    const copy = brokenCopy(serviceImage, (t) =>
      t
        .replace(' -w libs/stores', '')
        .replace('COPY --from=build /src/libs/stores/dist libs/stores/dist\n', ''),
    );
    assert.deepEqual(imageWorkspaceProblems(copy, repoRoot), [
      '@chippy/stores (libs/stores) is imported in the image but not installed (-w libs/stores)',
      '@chippy/stores (libs/stores) is imported in the image but its dist is not copied',
    ]);
  });

  it('every COPY source exists in the build context (the repository root)', () => {
    assert.deepEqual(copySourceProblems(serviceImage, repoRoot), []);
    assert.deepEqual(copySourceProblems(connectImage, repoRoot), []);
  });

  it('a COPY of a file that is not there, or that the .dockerignore leaves out, is reported', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chippy-dockerfile-'));
    const copy = path.join(dir, 'Dockerfile');
    writeFileSync(
      copy,
      readFileSync(serviceImage, 'utf8').replace(
        'COPY deploy/compose/healthcheck.mjs deploy/compose/healthcheck.mjs',
        'COPY deploy/compose/health-check.mjs deploy/compose/healthcheck.mjs\nCOPY logs/x logs/x',
      ),
    );
    writeFileSync(`${copy}.dockerignore`, 'logs\n');
    const root = mkdtempSync(path.join(tmpdir(), 'chippy-context-'));
    cpSync(inRepo('deploy/compose'), path.join(root, 'deploy/compose'), { recursive: true });
    mkdirSync(path.join(root, 'logs'));
    writeFileSync(path.join(root, 'logs/x'), '');
    const problems = copySourceProblems(copy, root).join('\n');
    assert.match(problems, /COPY source deploy\/compose\/health-check.mjs does not exist/);
    assert.match(problems, /COPY source logs\/x is excluded by Dockerfile.dockerignore/);
  });
});
