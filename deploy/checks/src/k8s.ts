import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { type Json, inRepo, isObject, readYamlAll, repoRoot } from './repo.js';

const require = createRequire(import.meta.url);

let checkedKubectl: string | undefined;

/** The kubectl whose built-in kustomize renders the manifests: KUBECTL, else kubectl on the PATH. */
export function kubectl(): string {
  if (checkedKubectl) return checkedKubectl;
  const candidate = process.env.KUBECTL ?? 'kubectl';
  const found = spawnSync(candidate, ['version', '--client'], { encoding: 'utf8' });
  if (found.status !== 0)
    throw new Error(
      `no kubectl (${candidate}): the Kubernetes checks render with \`kubectl kustomize\`; install kubectl ≥ 1.27 or set KUBECTL`,
    );
  checkedKubectl = candidate;
  return candidate;
}

export function kustomizeVersion(): string {
  const out = spawnSync(kubectl(), ['version', '--client'], { encoding: 'utf8' }).stdout;
  return out.replace(/\s+/g, ' ').trim();
}

const rendered = new Map<string, string>();

/**
 * `kubectl kustomize <dir>`: the rendered objects, or an Error with kustomize's own message. The
 * repository's own trees are rendered once per process (they do not change during a test run); every
 * call returns fresh objects.
 */
export function render(dir: string): Json[] {
  const cached = rendered.get(dir);
  if (cached !== undefined) return readYamlAll(cached);
  const result = spawnSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr.split('\n')[0]}`);
  if (path.resolve(dir).startsWith(repoRoot)) rendered.set(dir, result.stdout);
  return readYamlAll(result.stdout);
}

const nameOf = (o: Json) => `${String(o.kind)}/${String((o.metadata as Json | undefined)?.name)}`;

/**
 * kubernetes-models' module for an object's apiVersion and kind (core group "v1" →
 * kubernetes-models/v1/Kind); the Prometheus Operator's kinds come from its resource definitions,
 * compiled into @kubernetes-models/prometheus-operator.
 */
function modelPath(o: Json): string | undefined {
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return undefined;
  if (o.apiVersion.startsWith('monitoring.coreos.com/'))
    return `@kubernetes-models/prometheus-operator/${o.apiVersion}/${o.kind}`;
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
export const SCHEMA_NOTE = `kubernetes-models ${versionOf('kubernetes-models')} (Kubernetes v1.33.0 OpenAPI), @kubernetes-models/prometheus-operator ${versionOf('@kubernetes-models/prometheus-operator')}`;

/**
 * Validates every object against the Kubernetes OpenAPI schema compiled into kubernetes-models (types,
 * required fields, enums, formats). Kinds the package does not know (CRDs such as KEDA's) are reported.
 */
export async function validateSchemas(objects: Json[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    const module = modelPath(o);
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    try {
      const loaded = (await import(module ?? 'no-such-module')) as Record<string, unknown>;
      Model = loaded[String(o.kind)] as typeof Model;
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(
        `${nameOf(o)}: ${String(o.apiVersion)} ${String(o.kind)} is not a Kubernetes v1.33 or Prometheus Operator kind`,
      );
      continue;
    }
    try {
      new Model(o).validate();
    } catch (error) {
      problems.push(`${nameOf(o)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * Unknown fields: the API server rejects them (strict field validation) but the JSON schema allows
 * them, so each object is also type-checked as an object literal of its kubernetes-models interface,
 * where TypeScript's excess-property check names any field the OpenAPI definition does not have.
 */
export function unknownFields(objects: Json[]): string[] {
  const checkDir = inRepo('deploy/checks');
  const virtual = path.join(checkDir, '__k8s_objects__.ts');
  const lines: string[] = [];
  const owners: string[] = [];
  objects.forEach((o, i) => {
    const module = modelPath(o);
    if (!module) return;
    owners[lines.length] = nameOf(o);
    lines.push(`export const o${i}: import('${module}').I${String(o.kind)} = ${JSON.stringify(o)};`);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === virtual ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === virtual || fileExists(file);
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    return `${owners[line] ?? 'manifest'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

export const containersOf = (o: Json): Json[] => {
  const spec = (o.spec as Json | undefined)?.template as Json | undefined;
  const podSpec = spec?.spec as Json | undefined;
  return Array.isArray(podSpec?.containers) ? (podSpec.containers as Json[]) : [];
};

/** Env var names a container gets: env entries plus every key of the ConfigMaps/Secrets in envFrom. */
export function containerEnv(container: Json, objects: Json[]): Set<string> {
  const names = new Set<string>();
  for (const e of (container.env as Json[] | undefined) ?? []) names.add(String(e.name));
  for (const from of (container.envFrom as Json[] | undefined) ?? []) {
    const ref = (from.configMapRef ?? from.secretRef) as Json | undefined;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const source = objects.find((o) => o.kind === kind && (o.metadata as Json).name === ref?.name);
    if (!source) continue;
    for (const key of Object.keys({ ...(source.data as Json), ...(source.stringData as Json) }))
      names.add(key);
  }
  return names;
}

const SERVICES: Record<string, number> = { till: 3, preparer: 2, cook: 1, summary: 1 };

/** The deploy's own rules for the rendered base. */
export function k8sRuleViolations(objects: Json[]): string[] {
  const problems: string[] = [];
  if (!objects.some((o) => o.kind === 'Namespace')) problems.push('no Namespace');
  for (const [name, replicas] of Object.entries(SERVICES)) {
    const d = objects.find((o) => o.kind === 'Deployment' && (o.metadata as Json).name === name);
    if (!d) {
      problems.push(`Deployment/${name}: missing`);
      continue;
    }
    const spec = d.spec as Json;
    if (name in { till: 1, preparer: 1 } && spec.replicas !== replicas)
      problems.push(`Deployment/${name}: replicas ${String(spec.replicas)}, expected ${replicas}`);
    const template = spec.template as Json;
    const labels = ((template.metadata as Json | undefined)?.labels ?? {}) as Json;
    for (const label of [
      'app.kubernetes.io/name',
      'app.kubernetes.io/part-of',
      'app.kubernetes.io/component',
    ])
      if (!labels[label]) problems.push(`Deployment/${name}: pod template has no ${label} label`);
    const annotations = ((template.metadata as Json | undefined)?.annotations ?? {}) as Json;
    const [container] = containersOf(d);
    if (!container) {
      problems.push(`Deployment/${name}: no container`);
      continue;
    }
    const port = ((container.env as Json[] | undefined) ?? []).find((e) => e.name === 'HTTP_PORT')?.value;
    if (annotations['prometheus.io/scrape'] !== 'true' || annotations['prometheus.io/port'] !== port)
      problems.push(`Deployment/${name}: prometheus.io annotations do not scrape HTTP_PORT ${String(port)}`);
    const probe = (key: string) => ((container[key] as Json | undefined)?.httpGet as Json | undefined)?.path;
    if (probe('readinessProbe') !== '/readyz')
      problems.push(`Deployment/${name}: readinessProbe is not GET /readyz`);
    if (probe('livenessProbe') !== '/healthz')
      problems.push(`Deployment/${name}: livenessProbe is not GET /healthz`);
    const resources = (container.resources ?? {}) as Json;
    if (!isObject(resources.requests) || !isObject(resources.limits))
      problems.push(`Deployment/${name}: no resource requests and limits`);
  }
  for (const kind of ['StatefulSet']) {
    for (const name of ['kafka', 'postgres', 'redis'])
      if (!objects.some((o) => o.kind === kind && (o.metadata as Json).name === name))
        problems.push(`${kind}/${name}: missing`);
  }
  for (const name of ['karapace', 'connect'])
    if (!objects.some((o) => o.kind === 'Deployment' && (o.metadata as Json).name === name))
      problems.push(`Deployment/${name}: missing`);
  if (!objects.some((o) => o.kind === 'Job')) problems.push('no setup Job');
  problems.push(...committedSecretViolations(objects));
  return problems;
}

/**
 * No Secret is committed: every Secret is created by the user (its keys listed in a
 * secrets.example.yaml, which kustomize does not apply), so a committed password cannot work as is.
 */
export function committedSecretViolations(objects: Json[]): string[] {
  return objects
    .filter((o) => o.kind === 'Secret')
    .map(
      (o) =>
        `${nameOf(o)}: a Secret in the manifests (create it yourself; list its keys in secrets.example.yaml)`,
    );
}

/** Custom resources (Strimzi's, KEDA's): the Kubernetes schema does not know them; they are checked elsewhere. */
const CUSTOM_GROUPS = ['kafka.strimzi.io', 'keda.sh'];
export const builtInObjects = (objects: Json[]) =>
  objects.filter((o) => !CUSTOM_GROUPS.includes(String(o.apiVersion).split('/')[0] as string));
