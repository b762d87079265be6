import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The heading of docs/benchmarks.md's hand-kept section ("## Measured outside `npm run bench`"): it and
 * everything after it are figures measured by hand, which a bench run must not drop.
 */
const handKeptHeading = /^## Measured outside\b/m;

/** The hand-kept section of a benchmarks page, from its heading to the end; undefined if it has none. */
export function handKeptSection(page: string): string | undefined {
  const match = handKeptHeading.exec(page);
  return match ? page.slice(match.index) : undefined;
}

/** The generated page, followed by the hand-kept section of the page it replaces (if that had one). */
export function withHandKept(generated: string, previous: string | undefined): string {
  const kept = previous === undefined ? undefined : handKeptSection(previous);
  return kept === undefined ? generated : `${generated.trimEnd()}\n\n${kept}`;
}

/** Writes a generated benchmarks page to `file`, keeping the hand-kept section the file already has. */
export function writePage(file: string, generated: string): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  writeFileSync(file, withHandKept(generated, previous));
}
