// docs/configuration.md against what each program says about itself: every setting its `--help` prints
// is in the program's sections of the page (same flags, same default), and every setting the page lists
// there is one the program takes. So neither can change without the other. Needs a build, no stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';

const docFile = 'docs/configuration.md';

/** Each program, how to ask it for `--help`, and the headings of the page's sections that list its settings. */
const programs = [
  { name: 'till', entry: 'services/till/dist/main.js', sections: ['Every service', 'till'] },
  {
    name: 'preparer',
    entry: 'services/preparer/dist/main.js',
    sections: ['Every service', 'Redis', 'preparer'],
  },
  { name: 'cook', entry: 'services/cook/dist/main.js', sections: ['Every service', 'Redis', 'cook'] },
  {
    name: 'summary',
    entry: 'services/summary/dist/main.js',
    sections: ['Every service', 'Redis', 'summary'],
  },
  { name: 'npm start', entry: 'deploy/local/dist/shop.js', sections: ['npm start'] },
  { name: 'npm run floor', entry: 'tools/floor/dist/main.js', sections: ['npm run floor'] },
  { name: 'npm run demo:lag', entry: 'deploy/local/dist/lag-demo.js', sections: ['npm run demo:lag'] },
  { name: 'connectors', entry: 'connectors/dist/cli.js', sections: ['The connectors CLI'] },
];

/** One setting: its environment variable (or, without one, its long flag), flags and default. */
interface Setting {
  key: string;
  flags: string[];
  default: string;
}

/** The options of a commander `--help`, each option's wrapped lines joined. */
function settingsFromHelp(help: string): Map<string, Setting> {
  const blocks: string[] = [];
  for (const line of help.split('\n')) {
    if (/^ {2}-/.test(line)) blocks.push(line.trim());
    else if (/^ {3,}\S/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += ` ${line.trim()}`;
  }
  const settings = new Map<string, Setting>();
  for (const block of blocks) {
    const flags = block.match(/^(?:-[a-zA-Z], )?--[a-z][\w-]*/)?.[0].split(', ') ?? [];
    if (flags.includes('--help')) continue;
    const envMatch = /\[env ([A-Z][A-Z0-9_]*)\]/.exec(block);
    const env = envMatch?.[1];
    // The default follows the variable (a description may say "default" too).
    const tail = envMatch ? block.slice(envMatch.index + envMatch[0].length) : block;
    const fallback = /\(default: (.*?)\)(?: \(preset: [^)]*\))?$/.exec(tail)?.[1] ?? '';
    const key = env ?? flags.at(-1);
    if (key !== undefined) settings.set(key, { key, flags, default: fallback });
  }
  return settings;
}

/** The page's sections by heading (backticks and `#`s dropped), each with its text. */
function sectionsOf(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,4} (.+)$/.exec(line)?.[1];
    if (heading !== undefined) {
      current = heading.replaceAll('`', '').trim();
      sections.set(current, '');
    } else if (current !== undefined) sections.set(current, `${sections.get(current)}${line}\n`);
  }
  return sections;
}

/** The settings rows of a section's tables: | `ENV` | `-f, --flag` | default | meaning |. */
function settingsFromSection(text: string): Setting[] {
  const rows: Setting[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const [first = '', second = '', third = ''] = line
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    const env = /^`([A-Z][A-Z0-9_]*)`$/.exec(first)?.[1];
    const flags = [...second.matchAll(/(?<=^|[\s`,])-{1,2}[a-z][\w-]*/gi)].map((m) => m[0]);
    const key = env ?? (first === '—' ? flags.at(-1) : undefined);
    if (key !== undefined) rows.push({ key, flags, default: third });
  }
  return rows;
}

/** Whether the page's default cell says what `--help` prints (secrets, empty and host names in words). */
function defaultAgrees(fromHelp: string, cell: string): boolean {
  if (fromHelp === '' || fromHelp === '""' || fromHelp === '(secret)') return cell === '—';
  if (fromHelp.startsWith(hostname())) return cell.includes('host name');
  return cell.includes(`\`${fromHelp}\``);
}

const doc = readFileSync(path.join(repoRoot, docFile), 'utf8');
const sections = sectionsOf(doc);

describe("docs/configuration.md against each program's --help", () => {
  for (const program of programs) {
    it(`${docFile} lists exactly the settings of \`${program.name} --help\``, () => {
      const run = spawnSync(process.execPath, [path.join(repoRoot, program.entry), '--help'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        timeout: 30_000,
      });
      assert.equal(run.status, 0, `${program.name} --help exited ${run.status}: ${run.stderr}`);
      const help = settingsFromHelp(run.stdout);
      assert.ok(help.size > 0, `no options found in ${program.name} --help:\n${run.stdout}`);

      const problems: string[] = [];
      const documented = new Map<string, Setting>();
      for (const heading of program.sections) {
        const text = sections.get(heading);
        if (text === undefined) {
          problems.push(`${docFile} has no section "${heading}" (where ${program.name}'s settings belong)`);
          continue;
        }
        for (const row of settingsFromSection(text)) {
          if (documented.has(row.key))
            problems.push(`${program.name}: ${row.key} is listed twice in ${docFile}`);
          documented.set(row.key, row);
        }
      }
      const where = `${docFile} (sections ${program.sections.map((s) => `"${s}"`).join(', ')})`;
      for (const [key, setting] of help) {
        const row = documented.get(key);
        if (!row) {
          problems.push(
            `${program.name}: ${key} (${setting.flags.join(', ')}) is in --help but not in ${where}`,
          );
          continue;
        }
        if ([...row.flags].sort().join() !== [...setting.flags].sort().join())
          problems.push(
            `${program.name}: ${key}'s flags are ${setting.flags.join(', ')}, ${docFile} says ${row.flags.join(', ')}`,
          );
        if (!defaultAgrees(setting.default, row.default))
          problems.push(
            `${program.name}: ${key}'s default is ${setting.default}, ${docFile} says ${row.default}`,
          );
      }
      for (const key of documented.keys())
        if (!help.has(key)) problems.push(`${program.name}: ${where} lists ${key}, which --help does not`);

      assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
    });
  }
});
