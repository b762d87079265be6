import { createRegistryAdmin, type CompatibilityVerdict } from '@chippy/kafka';
import { topicDeclarations, topicNames, type TopicNames } from '@chippy/shop';
import { errorMessage } from '@chippy/runtime';
import { readSchemaFiles } from './schema-files.js';

export interface SchemasCheckOptions {
  registryUri: string;
  topicPrefix: string;
  schemasDir: string;
}

/** One schema file against its subject. */
export interface SchemaCheck {
  file: string;
  subject?: string;
  verdict?: CompatibilityVerdict;
  /** The registry could not be asked (unreachable, refused the credentials). */
  error?: string;
}

/** The subject each record is registered under: `<prefix><topic>-value` of the topic that carries it. */
export function subjectsByRecord(prefix: string): Map<string, string> {
  const names = topicNames(prefix);
  const subjects = new Map<string, string>();
  for (const [key, declaration] of Object.entries(topicDeclarations)) {
    if (declaration.valueSchema)
      subjects.set(declaration.valueSchema, `${names[key as keyof TopicNames]}-value`);
  }
  return subjects;
}

/**
 * Asks the registry whether each schema file may be registered as the next version of its subject, under
 * the level the registry keeps for it: the check to run before deploying a service with a changed schema.
 */
export async function checkSchemas(options: SchemasCheckOptions): Promise<SchemaCheck[]> {
  const registry = createRegistryAdmin(options.registryUri);
  const subjects = subjectsByRecord(options.topicPrefix);
  const checks: SchemaCheck[] = [];
  for (const { file, name, schema } of readSchemaFiles(options.schemasDir)) {
    const subject = subjects.get(name);
    if (!subject) {
      checks.push({ file });
      continue;
    }
    try {
      checks.push({ file, subject, verdict: await registry.compatibility(subject, JSON.stringify(schema)) });
    } catch (error) {
      checks.push({ file, subject, error: `${errorMessage(error)} (${registry.url})` });
    }
  }
  return checks;
}

/** One line per file; `ok` is false when any file would break readers or could not be checked. */
export function describeChecks(checks: SchemaCheck[]): { lines: string[]; ok: boolean } {
  const lines = checks.map(({ file, subject, verdict, error }) => {
    if (!subject) return `${file}: on no topic, not checked`;
    if (error) return `${file} → ${subject}: could not check: ${error}`;
    if (verdict?.compatible === 'new-subject') return `${file} → ${subject}: ok (no version registered yet)`;
    if (verdict?.compatible) return `${file} → ${subject}: ok (${verdict.level})`;
    return `${file} → ${subject}: INCOMPATIBLE under ${verdict?.level}: ${verdict?.reason}`;
  });
  const ok = checks.every((c) => !c.error && (c.verdict === undefined || c.verdict.compatible !== false));
  return { lines, ok };
}
