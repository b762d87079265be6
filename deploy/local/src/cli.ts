import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { down, endpoints, logFiles, StackError, status, up } from './stack.js';
import { tail } from './processes.js';
import { requirePinnedNode } from './pinned-node.js';

const usage = `usage: stack <up|down|status|logs> [options]

  up                 fetch pinned artifacts (once) and start what does not already answer
  down               stop what \`up\` started, and nothing else
  status             each component, its address and whether it answers (exit 1 if one does not)
  logs [name] [-f]   the last lines of each component's log (or one's); -f follows
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      await up();
      console.log('\nendpoints (also in .stack/env):');
      for (const [k, v] of Object.entries(endpoints)) console.log(`  ${k}=${v}`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const all = await status();
      for (const c of all) {
        const who = c.owned ? 'started by this stack' : c.answers ? 'external' : '';
        console.log(`${c.answers ? '✔' : '✘'} ${c.title.padEnd(42)} ${c.address.padEnd(40)} ${who}`);
      }
      return all.every((c) => c.answers) ? 0 : 1;
    }
    case 'logs': {
      const follow = rest.includes('-f') || rest.includes('--follow');
      const name = rest.find((a) => !a.startsWith('-'));
      const files = logFiles().filter(
        (l) => (name ? l.name === name : true) && existsSync(l.file) && l.file.endsWith('.log'),
      );
      if (files.length === 0) {
        console.error(name ? `no log for "${name}"` : 'no logs yet: run `npm run stack:up`');
        return 2;
      }
      if (follow) {
        const child = spawn('tail', ['-n', '20', '-F', ...files.map((f) => f.file)], { stdio: 'inherit' });
        return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
      }
      for (const f of files) console.log(`==> ${f.name} (${f.file}) <==\n${tail(f.file, 30)}\n`);
      return 0;
    }
    case '--help':
    case '-h':
    case 'help':
      console.log(usage);
      return 0;
    default:
      console.error(`stack: unknown command "${command ?? ''}"\n${usage}`);
      return 2;
  }
}

requirePinnedNode('stack');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StackError ? `stack: ${err.message}` : err);
    process.exit(1);
  },
);
