import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The java binary for the stack: JAVA_HOME if set, else the one on PATH. Every component here runs on
 * Java 17 (Kafka 4.3 brokers and Connect need 17+; Apicurio 2.6 needs 11+).
 */
export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(path.join(home, 'bin/java'))) return path.join(home, 'bin/java');
  return 'java';
}

/** A classpath of every jar in a directory (the JVM's `dir/*` form). */
export function classpathOf(dir: string): string {
  if (!existsSync(dir) || readdirSync(dir).length === 0) throw new Error(`no jars in ${dir}`);
  return `${dir}/*`;
}
