import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationSeverity, validate } from 'dockerfile-utils';

/**
 * Lints a Dockerfile with dockerfile-utils (the validator behind the Docker language server): every
 * diagnostic, error or warning, is a failure; plus chippy's own rules for its images.
 */
export function lintDockerfile(
  file: string,
  rules: { multiStage?: boolean; npmCiOmitDev?: boolean } = {},
): string[] {
  const content = readFileSync(file, 'utf8');
  const lines = content.split('\n');
  const problems = validate(content, {
    deprecatedMaintainer: ValidationSeverity.ERROR,
    directiveCasing: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
    instructionCasing: ValidationSeverity.ERROR,
    instructionCmdMultiple: ValidationSeverity.ERROR,
    instructionEntrypointMultiple: ValidationSeverity.ERROR,
    instructionHealthcheckMultiple: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
  }).map(
    (d) => `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
  );

  // The last stage is the image that runs.
  const froms = lines.flatMap((line, i) => (/^FROM\s/i.test(line) ? [i] : []));
  if (froms.length === 0) return [...problems, 'no FROM'];
  const stageNames = new Set(lines.flatMap((l) => /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(l)?.[1] ?? []));
  for (const i of froms) {
    const image = (lines[i] ?? '').split(/\s+/)[1] ?? '';
    if (stageNames.has(image)) continue;
    const tag = /:([^/@]+)$/.exec(image)?.[1];
    if (!image.includes('@sha256:') && (!tag || tag === 'latest' || !/\d/.test(tag)))
      problems.push(`line ${i + 1}: base image ${image} is not pinned to a version`);
  }
  const last = lines.slice(froms[froms.length - 1]);
  const user = last.filter((l) => /^USER\s/i.test(l)).pop();
  if (!user) problems.push('the final stage sets no USER (it would run as root)');
  else if (/^USER\s+(root|0)(:|\s|$)/i.test(user)) problems.push(`the final stage runs as root (${user})`);
  if (!last.some((l) => /^HEALTHCHECK\s+(?!NONE)/i.test(l)))
    problems.push('the final stage has no HEALTHCHECK');
  if (rules.multiStage && froms.length < 2) problems.push('not a multi-stage build');
  if (rules.npmCiOmitDev && !/npm ci [^\n]*--omit=dev/.test(content))
    problems.push('the runtime stage does not install with npm ci --omit=dev');
  return problems;
}

/**
 * Every COPY/ADD source of a Dockerfile (other than from a build stage) exists in the build context,
 * and is not excluded by a plain name (or a name under any directory) in `<Dockerfile>.dockerignore` (as BuildKit
 * reads it; globs and `!` exceptions are not interpreted here).
 */
export function copySourceProblems(file: string, context: string): string[] {
  const problems: string[] = [];
  const ignoreFile = `${file}.dockerignore`;
  const ignored = existsSync(ignoreFile)
    ? readFileSync(ignoreFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const isIgnored = (source: string) =>
    ignored.some((pattern) => {
      const stem = pattern.replace(/^\*\*\//, '').replace(/\/$/, '');
      return source === stem || source.startsWith(`${stem}/`) || source.split('/').includes(stem);
    });
  for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    const m = /^(COPY|ADD)\s+(.*)$/i.exec(line.trim());
    if (!m) continue;
    const args = (m[2] as string).split(/\s+/);
    if (args.some((a) => a.startsWith('--from='))) continue;
    const paths = args.filter((a) => !a.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      if (source === '.' || /[*?]/.test(source)) continue;
      if (!existsSync(path.join(context, source)))
        problems.push(`line ${i + 1}: ${m[1]} source ${source} does not exist in the build context`);
      else if (isIgnored(source))
        problems.push(`line ${i + 1}: ${m[1]} source ${source} is excluded by ${path.basename(ignoreFile)}`);
    }
  }
  return problems;
}

/**
 * The repository's workspace packages by name, as npm finds them (root package.json `workspaces`, where
 * `dir/*` means every folder under dir): each one's folder and the `@chippy/*` packages it depends on.
 */
function workspaces(root: string): Map<string, { dir: string; deps: string[] }> {
  const patterns = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
  ).workspaces;
  const dirs = patterns.flatMap((p) =>
    p.endsWith('/*')
      ? (existsSync(path.join(root, p.slice(0, -2))) ? readdirSync(path.join(root, p.slice(0, -2))) : []).map(
          (name) => `${p.slice(0, -2)}/${name}`,
        )
      : [p],
  );
  const found = new Map<string, { dir: string; deps: string[] }>();
  for (const dir of dirs) {
    const file = path.join(root, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
    };
    const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@chippy/'));
    found.set(pkg.name, { dir, deps });
  }
  return found;
}

/**
 * The service image installs its workspaces with `npm ci -w …` and copies each one's compiled `dist`: every
 * chippy package a program in it imports, however indirectly, must be among both, or the program fails
 * with ERR_MODULE_NOT_FOUND only when the container starts. One message per package missing.
 */
export function imageWorkspaceProblems(file: string, root: string): string[] {
  const text = readFileSync(file, 'utf8');
  const installed = new Set([...text.matchAll(/-w\s+(\S+)/g)].map((m) => m[1]!));
  const copied = new Set([...text.matchAll(/^COPY --from=build \/src\/(\S+)\/dist /gm)].map((m) => m[1]!));
  const all = workspaces(root);
  const byDir = new Map([...all].map(([name, w]) => [w.dir, name]));
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dep of all.get(name)?.deps ?? []) visit(dep);
  };
  for (const dir of installed) {
    const name = byDir.get(dir);
    if (name) visit(name);
  }
  const problems: string[] = [];
  for (const name of needed) {
    const dir = all.get(name)?.dir ?? name;
    if (!installed.has(dir))
      problems.push(`${name} (${dir}) is imported in the image but not installed (-w ${dir})`);
    if (!copied.has(dir))
      problems.push(`${name} (${dir}) is imported in the image but its dist is not copied`);
  }
  return problems;
}
