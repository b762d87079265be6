import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@chippy/dev-utils';
import { dependencyPlugin } from './maven.js';
import { inRepo } from './repo.js';
import { readPinned } from './versions.js';

const dir = inRepo('deploy/checks/jmx');

/** The pinned JMX exporter agent, copied from Maven (offline when cached) into deploy/checks/jmx/target. */
export function jmxAgentJar(): string {
  const version = readPinned().jmxPrometheusJavaagent;
  const out = path.join(dir, 'target', version);
  const jar = path.join(out, 'jmx_prometheus_javaagent.jar');
  if (existsSync(jar)) return jar;
  const result = dependencyPlugin(
    'copy',
    [
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${version}`,
      '-Dmdep.stripVersion=true',
      `-DoutputDirectory=${out}`,
    ],
    { cwd: dir, timeoutMs: 300_000 },
  );
  if (!existsSync(jar))
    throw new Error(`mvn could not fetch the JMX exporter agent: ${result.stderr.slice(-400)}`);
  return jar;
}

/**
 * The kafka_* metric names the real JMX exporter agent serves with `rulesFile`, over MBeans named as a
 * broker names them (FakeKafkaBeans.java): no derivation of names by hand.
 */
export async function jmxAgentMetrics(rulesFile: string): Promise<Set<string>> {
  const port = await freePort();
  const child = spawn(
    'java',
    [`-javaagent:${jmxAgentJar()}=127.0.0.1:${port}:${rulesFile}`, path.join(dir, 'FakeKafkaBeans.java')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        if (text.includes('kafka_'))
          return new Set([...text.matchAll(/^(kafka_[a-z_]+)[ {]/gm)].map((m) => m[1] as string));
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the JMX exporter agent served no kafka_ metric: ${stderr.slice(-400)}`);
  } finally {
    child.kill();
  }
}
