import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { type Json, isObject } from './repo.js';

const require = createRequire(import.meta.url);

/** The Compose Specification's JSON schema, as vendored (pinned) by the dclint package. */
export function composeSchemaFile(): string {
  return path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
}

export function validateComposeSchema(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema declares draft-07 by an https URI that Ajv does not register; draft-07 is Ajv's default.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(composeSchemaFile(), 'utf8')) as Record<
    string,
    unknown
  >;
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Services meant to run with --scale. */
export const SCALED = ['till', 'preparer', 'cook'];

const oneShot = (service: Json) => service.restart === 'no';

/** The deploy's own rules (issue 6): one message per violation. */
export function composeRuleViolations(doc: Json): string[] {
  const problems: string[] = [];
  const services = isObject(doc.services) ? doc.services : {};
  for (const name of SCALED) if (!(name in services)) problems.push(`${name}: missing`);
  for (const [name, value] of Object.entries(services)) {
    if (!isObject(value)) continue;
    const scaled = SCALED.includes(name);
    if (scaled && value.ports !== undefined) problems.push(`${name}: a scaled service publishes ports`);
    if (scaled && value.container_name !== undefined)
      problems.push(`${name}: a scaled service sets container_name`);
    if (!oneShot(value)) {
      const check = value.healthcheck;
      if (!isObject(check) || check.disable === true || check.test === undefined)
        problems.push(`${name}: no healthcheck`);
    }
    if (value.depends_on !== undefined) {
      if (!isObject(value.depends_on)) {
        problems.push(`${name}: depends_on must name a condition for each dependency`);
      } else {
        for (const [target, spec] of Object.entries(value.depends_on)) {
          const condition = isObject(spec) ? spec.condition : undefined;
          const targetService = services[target];
          if (!isObject(targetService)) problems.push(`${name}: depends on unknown service ${target}`);
          else if (condition === 'service_completed_successfully') {
            if (!oneShot(targetService))
              problems.push(`${name}: waits for ${target} to complete, but ${target} is not a one-shot job`);
          } else if (condition !== 'service_healthy') {
            problems.push(
              `${name}: depends_on ${target} with condition ${String(condition)}, not service_healthy`,
            );
          }
        }
      }
    }
    if (typeof value.image === 'string' && value.build === undefined) {
      const tag = /:([^/@]+)$/.exec(value.image)?.[1];
      if (!tag || tag === 'latest' || !/\d/.test(tag))
        problems.push(`${name}: image ${value.image} is not pinned`);
    }
  }
  return problems;
}
