import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { dependencyPlugin } from './maven.js';
import { type Json, inRepo } from './repo.js';

/**
 * Strimzi's resource model, io.strimzi:api from Maven Central, read by deploy/checks/strimzi: Maven
 * resolves the jar and its dependencies (offline when ~/.m2 has them, else from Maven Central through
 * the stack's Central-only settings), and StrimziModelCheck.java runs as a single-file program on them.
 */
const project = inRepo('deploy/checks/strimzi');

/** The release the check reads the model of: the pom's strimzi.version. */
export function strimziVersion(): string {
  const pom = readFileSync(path.join(project, 'pom.xml'), 'utf8');
  const version = /<strimzi\.version>([^<]+)<\/strimzi\.version>/.exec(pom)?.[1];
  if (!version) throw new Error('deploy/checks/strimzi/pom.xml has no strimzi.version');
  return version;
}

/** A JDK of at least `major` (Strimzi's classes need 21): STRIMZI_CHECK_JAVA, JAVA_HOME, java, then /usr/lib/jvm. */
export function javaAtLeast(major: number): string {
  const candidates = [
    process.env.STRIMZI_CHECK_JAVA,
    process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin/java'),
    'java',
    ...(existsSync('/usr/lib/jvm')
      ? readdirSync('/usr/lib/jvm')
          .sort()
          .reverse()
          .map((dir) => path.join('/usr/lib/jvm', dir, 'bin/java'))
      : []),
  ].filter((c): c is string => Boolean(c));
  for (const java of candidates) {
    const result = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
    const version = /java\.specification\.version = (\d+)/.exec(result.stderr ?? '')?.[1];
    if (result.status === 0 && Number(version) >= major) return java;
  }
  throw new Error(
    `no Java ${major} or newer (tried ${candidates.join(', ')}): Strimzi's model classes need it; set STRIMZI_CHECK_JAVA`,
  );
}

/** The model's class path, resolved by Maven once and kept in deploy/checks/strimzi/target. */
export function strimziClassPath(): string {
  const file = path.join(project, 'target', `classpath-${strimziVersion()}.txt`);
  if (existsSync(file)) {
    const classPath = readFileSync(file, 'utf8').trim();
    if (classPath.split(path.delimiter).every((jar) => existsSync(jar))) return classPath;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const result = dependencyPlugin('build-classpath', [`-Dmdep.outputFile=${file}`], {
    pom: path.join(project, 'pom.xml'),
    timeoutMs: 600_000,
  });
  if (result.status !== 0 || !existsSync(file))
    throw new Error(`mvn could not resolve io.strimzi:api: ${(result.stdout + result.stderr).slice(-600)}`);
  return readFileSync(file, 'utf8').trim();
}

/**
 * Every Strimzi resource among `objects`, read into Strimzi's model: one line per problem (a kind or
 * version the release does not serve, a wrongly typed value, an unknown field anywhere in the object).
 */
export function strimziModelProblems(objects: Json[]): string[] {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-strimzi-')), 'rendered.yaml');
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  const java = javaAtLeast(21);
  const classPath = strimziClassPath();
  const result = spawnSync(
    java,
    ['-cp', [compiledCheck(java, classPath), classPath].join(path.delimiter), 'StrimziModelCheck', file],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`StrimziModelCheck failed to run: ${result.stderr.slice(-600)}`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

/**
 * StrimziModelCheck.java compiled once into deploy/checks/strimzi/target/classes (again when the
 * source is newer), with the javac beside the chosen java: running the source directly would compile
 * it on every run.
 */
function compiledCheck(java: string, classPath: string): string {
  const source = path.join(project, 'src', 'StrimziModelCheck.java');
  const classes = path.join(project, 'target', 'classes');
  const compiled = path.join(classes, 'StrimziModelCheck.class');
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(source).mtimeMs) return classes;
  mkdirSync(classes, { recursive: true });
  const javac = java.includes('/') ? path.join(path.dirname(java), 'javac') : 'javac';
  const result = spawnSync(javac, ['-d', classes, '-cp', classPath, source], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`javac StrimziModelCheck.java failed: ${result.stderr.slice(-600)}`);
  return classes;
}

export const isStrimzi = (o: Json) =>
  typeof o.apiVersion === 'string' && o.apiVersion.includes('strimzi.io/');
