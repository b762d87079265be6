// The shop floor in the terminal (`npm run floor`), run in tmux as a user would, its screen read back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { endpointsFromEnv } from './harness/endpoints.js';
import { docsImage, joinedCooks, joinedPreparers, outputDir, servicesPerFile } from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';

const shop = isolatedShop('floor-term');
const env = { ...shop.env, TIME_SCALE: '0.5' };
describe('the shop floor in the terminal', () => {
  const start = servicesPerFile();
  // A tmux server of the test's own (-L), started with the test's environment, so the floor inherits it.
  const socket = `chippy-floor-${randomUUID().slice(0, 8)}`;
  const session = 'floor';
  // Relative to the repository, where the floor runs, so the status line shows no machine's paths.
  const logFile = path.relative(repoRoot, path.join(outputDir, 'floor-terminal.log'));
  const exitFile = path.join(outputDir, 'floor-terminal.exit');

  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  const screen = () => tmux('capture-pane', '-p', '-t', session);

  async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not seen in ${timeoutMs} ms; screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async () => {
    const cook = start('cook', 'floor-term-cook', [], { ...env, COOK_ID: 'cook-1' });
    const preparer = start('preparer', 'floor-term-preparer', [], { ...env, PREPARER_ID: 'preparer-1' });
    await Promise.all([joinedCooks(cook), joinedPreparers(preparer)]);
  });

  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    await deleteShops();
  });

  it('npm run floor in tmux: the panels side by side, an order from till to ready, resizing, and q exits 0', async () => {
    const { KAFKA_SERVICE_URI, SCHEMA_REGISTRY_URI } = endpointsFromEnv();
    const floor = [
      process.execPath,
      path.join(repoRoot, 'tools/floor/dist/main.js'),
      '-k',
      KAFKA_SERVICE_URI,
      '-s',
      SCHEMA_REGISTRY_URI,
      '--log-file',
      logFile,
    ];
    rmSync(exitFile, { force: true });
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-c',
      repoRoot,
      '-x',
      '150',
      '-y',
      '30',
      // The shell notes the exit status: tmux's own (#{pane_dead_status}) is at times never filled in.
      `${floor.map((a) => `'${a}'`).join(' ')}; echo $? > '${exitFile}'`,
    );
    await until(
      'the floor reading from the end of the topics',
      () =>
        existsSync(path.join(repoRoot, logFile)) &&
        readFileSync(path.join(repoRoot, logFile), 'utf8').includes('floor reading the shop topics'),
    );
    await until('the preparer and cook panels', () => /preparer-1|chippy-preparer/.test(screen()));

    // Plaice on the menu: some orders show the cook's lines too (the screen saved in docs/).
    const till = start('till', 'floor-term-till', ['--orders', '6', '--till-id', 'till-t', '--plaice'], env);
    assert.deepEqual(await till.exited, { code: 0, signal: null });
    await until('till-t/1 to 6 placed and 1 to 3 ready', () => {
      const now = screen();
      return (
        [1, 2, 3, 4, 5, 6].every((n) => now.includes(`Order till-t/${n}:`)) &&
        [1, 2, 3].every((n) => now.includes(`Order ready till-t/${n}:`))
      );
    });
    const shown = screen();
    // Side by side: one row holds the till's, the preparer's and the cook's titles, in that order.
    const titles = shown.split('\n').find((row) => row.includes('till-t') && row.includes('preparer-1'));
    assert.ok(titles, shown);
    assert.ok(titles.indexOf('till-t') < titles.indexOf('preparer-1'), shown);
    assert.match(titles, /cook-1|chippy-cook/, shown);
    for (const count of [1, 2, 3, 4, 5, 6]) assert.ok(shown.includes(`Order till-t/${count}:`), shown);
    assert.match(shown, /\d+\/min · lag \d+ · p0,1,2,3,4,5/, 'the preparer header: rate, lag, partitions');
    writeFileSync(docsImage('floor-terminal.txt'), shown.trimEnd() + '\n');

    tmux('resize-window', '-t', session, '-x', '96', '-y', '20');
    await until('the panels redrawn to 96 columns', () => {
      const rows = screen()
        .split('\n')
        .filter((r) => r.includes('┐'));
      return rows.length > 0 && rows.every((r) => r.trimEnd().length <= 96) && rows[0]!.trimEnd().length > 80;
    });
    assert.match(screen(), /till-t/);

    tmux('send-keys', '-t', session, 'q');
    await until(
      'the floor ended',
      () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').endsWith('\n'),
    );
    assert.equal(readFileSync(exitFile, 'utf8').trim(), '0', 'exit code 0');
  });
});
