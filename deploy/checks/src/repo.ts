import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { inRepo, repoRoot } from '@chippy/dev-utils';
import { parse, parseAllDocuments } from 'yaml';

export { inRepo, repoRoot };

export type Json = Record<string, unknown>;

export function readYaml(file: string): Json {
  // merge: true resolves Compose's `<<: *anchor` extension fields as Compose itself does.
  return parse(readFileSync(file, 'utf8'), { merge: true }) as Json;
}

export function readYamlAll(text: string): Json[] {
  return parseAllDocuments(text, { merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as Json;
    })
    .filter((doc): doc is Json => doc !== null && typeof doc === 'object');
}

export const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `[env NAME]` entries of a command's --help (commander wraps lines, so whitespace is collapsed). */
export function envVarsFromHelp(help: string): Set<string> {
  const text = help.replace(/\s+/g, ' ');
  return new Set([...text.matchAll(/\[env ([A-Z][A-Z0-9_]*)\]/g)].map((m) => m[1] as string));
}

/** The environment variables a built entry point reads, from its own --help. */
export function envVarsOf(entry: string): Set<string> {
  const file = inRepo(entry);
  if (!existsSync(file)) throw new Error(`${entry} is not built (run npm run build first)`);
  const result = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 20_000 });
  const vars = envVarsFromHelp(`${result.stdout}${result.stderr}`);
  if (vars.size === 0) throw new Error(`${entry} --help lists no [env NAME] settings`);
  return vars;
}

/** Which chippy entry point a container command runs: services/<name>/dist/main.js or the connectors CLI. */
export function entryPointOf(command: unknown): string | undefined {
  const text = Array.isArray(command) ? command.join(' ') : typeof command === 'string' ? command : '';
  const service = /services\/([a-z]+)\/dist\/main\.js/.exec(text);
  if (service) return `services/${service[1]}/dist/main.js`;
  if (text.includes('connectors/dist/cli.js')) return 'connectors/dist/cli.js';
  return undefined;
}

/** `--target X --format Y` pairs in a connectors CLI command line. */
export function sinkConfigsOf(command: unknown): string[] {
  const text = Array.isArray(command) ? command.join(' ') : typeof command === 'string' ? command : '';
  return [...text.matchAll(/deploy --target ([a-z]+) --format ([a-z]+)/g)].map(
    (m) => `connectors/sink/${m[1]}-${m[2]}.json`,
  );
}

/** Variables a shell script reads as ${NAME…}. */
export function shellVarsOf(file: string): Set<string> {
  return new Set(
    [...readFileSync(file, 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string),
  );
}

/** Every chippy_* metric name the services and libraries define. */
export function definedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    const result = spawnSync('grep', ['-rhoE', "'chippy_[a-z_]+'", dir, '--include=*.ts'], {
      encoding: 'utf8',
    });
    for (const line of result.stdout.split('\n')) if (line) names.add(line.replaceAll("'", ''));
  };
  for (const dir of ['libs', 'services']) walk(inRepo(dir));
  return names;
}
