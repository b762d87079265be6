import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in libs/dev-utils/{src,dist}/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A path inside the repository, from its root. */
export const inRepo = (...parts: string[]): string => path.join(repoRoot, ...parts);
