// `node bench/dist/render.js [results.json] [out.md]`: renders the markdown again from a run's JSON, e.g.
// after the report's layout changed, without measuring again (the figures stay those of that run). The
// page's hand-kept section (from "## Measured outside") is carried over.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';
import { writePage } from './hand-kept.js';
import { renderMarkdown } from './report.js';
import type { Results } from './results.js';

const [input = path.join(repoRoot, 'docs/benchmarks.json'), output = input.replace(/\.json$/, '.md')] =
  process.argv.slice(2);
writePage(output, renderMarkdown(JSON.parse(readFileSync(input, 'utf8')) as Results));
console.log(`rendered ${output}`);
