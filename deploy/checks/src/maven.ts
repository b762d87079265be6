import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { inRepo } from './repo.js';

/** The stack's Maven settings: Maven Central only. */
const settings = inRepo('deploy/local/maven/settings.xml');

/**
 * A goal of Maven's dependency plugin, offline first (when ~/.m2 has what it needs) and, if that fails,
 * again from Maven Central. `pom` is the project it runs in, when the goal needs one.
 */
export function dependencyPlugin(
  goal: string,
  properties: string[],
  { pom, cwd, timeoutMs }: { pom?: string; cwd?: string; timeoutMs: number },
): SpawnSyncReturns<string> {
  const run = (offline: boolean) =>
    spawnSync(
      'mvn',
      [
        '-B',
        '-q',
        ...(offline ? ['-o'] : []),
        '-s',
        settings,
        ...(pom ? ['-f', pom] : []),
        `org.apache.maven.plugins:maven-dependency-plugin:3.8.1:${goal}`,
        ...properties,
      ],
      { encoding: 'utf8', timeout: timeoutMs, ...(cwd && { cwd }) },
    );
  const offline = run(true);
  return offline.status === 0 ? offline : run(false);
}
