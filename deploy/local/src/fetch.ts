import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';
import { paths } from './paths.js';
import { versions } from './versions.js';

const markerFile = path.join(paths.artifacts, 'fetched.json');
/** chippy's Connect converter (connectors/converter), built here with Maven like the Connect image does. */
const converterDir = path.join(repoRoot, 'connectors/converter');
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.11.0';

interface Dependency {
  groupId: string;
  artifactId: string;
  version: string;
}

/** What the artifacts were made from: the pinned versions and the converter's sources. */
function marker(): string {
  const hash = createHash('sha256');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const file of [path.join(converterDir, 'pom.xml'), ...files(path.join(converterDir, 'src'))].sort())
    hash.update(file).update(readFileSync(file));
  return JSON.stringify({ ...versions, converter: hash.digest('hex') });
}

/** True when every pinned artifact is already unpacked under .stack/artifacts, and the converter built. */
function artifactsPresent(): boolean {
  if (!existsSync(markerFile)) return false;
  return readFileSync(markerFile, 'utf8') === marker();
}

/**
 * Fetches the pinned jars and archives from Maven Central with Maven (so ~/.m2 caches them) and lays
 * them out for the stack. Does nothing when the marker says the same versions are already there.
 */
export async function fetchArtifacts(log: (line: string) => void): Promise<boolean> {
  if (artifactsPresent()) return false;
  rmSync(paths.artifacts, { recursive: true, force: true });
  mkdirSync(paths.artifacts, { recursive: true });

  log(`fetching Kafka ${versions.kafka} (broker, Connect, tools) from Maven Central…`);
  await copyDependencies(
    'kafka',
    [
      { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: versions.kafka },
      { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version: versions.kafka },
      { groupId: 'org.apache.kafka', artifactId: 'connect-runtime', version: versions.kafka },
      { groupId: 'org.apache.kafka', artifactId: 'connect-json', version: versions.kafka },
      // Kafka brings log4j2 but no SLF4J binding; exactly one is added here.
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: versions.log4j },
    ],
    paths.kafkaLib,
  );

  log(`fetching the Debezium JDBC sink connector ${versions.debeziumJdbc}…`);
  await unpack(`io.debezium:debezium-connector-jdbc:${versions.debeziumJdbc}:tar.gz:plugin`, paths.plugins);

  log(`fetching the Apicurio Avro converter ${versions.apicurio}…`);
  await copyDependencies(
    'apicurio-converter',
    [{ groupId: 'io.apicurio', artifactId: 'apicurio-registry-utils-converter', version: versions.apicurio }],
    path.join(paths.plugins, 'apicurio-avro-converter'),
    // The Connect worker provides these; a second copy inside the plugin only wastes memory.
    ['kafka-clients', 'connect-api', 'connect-json', 'slf4j-api'],
  );

  log("building chippy's Avro converter (connectors/converter)…");
  const build = path.join(paths.artifacts, 'maven', 'converter-build');
  await mvn(path.join(converterDir, 'pom.xml'), [
    'package',
    `-Dconverter.build.directory=${build}`,
    `-Dapicurio.version=${versions.apicurio}`,
    `-Dkafka.version=${versions.kafka}`,
  ]);
  copyFileSync(
    path.join(build, 'chippy-connect-converter.jar'),
    path.join(paths.plugins, 'apicurio-avro-converter', 'chippy-connect-converter.jar'),
  );

  log(`fetching Apicurio Registry ${versions.apicurio}…`);
  await unpack(`io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`, paths.registry);

  writeFileSync(markerFile, marker());
  return true;
}

async function copyDependencies(
  name: string,
  deps: Dependency[],
  outputDirectory: string,
  excludeArtifactIds: string[] = [],
): Promise<void> {
  const pom = writePom(name, deps);
  const args = [
    `${dependencyPlugin}:copy-dependencies`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outputDirectory}`,
  ];
  if (excludeArtifactIds.length > 0) args.push(`-DexcludeArtifactIds=${excludeArtifactIds.join(',')}`);
  await mvn(pom, args);
}

async function unpack(artifact: string, outputDirectory: string): Promise<void> {
  await mvn(writePom('unpack', []), [
    `${dependencyPlugin}:unpack`,
    `-Dartifact=${artifact}`,
    `-DoutputDirectory=${outputDirectory}`,
  ]);
}

function writePom(name: string, deps: Dependency[]): string {
  const dir = path.join(paths.artifacts, 'maven', name);
  mkdirSync(dir, { recursive: true });
  const dependencies = deps
    .map(
      (d) =>
        `    <dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`,
    )
    .join('\n');
  writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>chippy.local-stack</groupId><artifactId>${name}</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`,
  );
  return path.join(dir, 'pom.xml');
}

function mvn(pom: string, args: string[]): Promise<void> {
  const fullArgs = ['-B', '-q', '-s', paths.mavenSettings, '-f', pom, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`could not run mvn (is Maven installed?): ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `mvn ${args[0] ?? ''} failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`,
          ),
        );
    });
  });
}
