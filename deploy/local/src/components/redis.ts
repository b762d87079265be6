import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../paths.js';
import { aptInstall, hasCommand } from '../debian.js';
import { logFile, ownPid, startDetached, stopProcess, workingDirectoryIs } from '../processes.js';
import { redisAnswers } from '../probes.js';
import type { Component } from './component.js';

export const redisUrl = 'redis://127.0.0.1:6379';

/** Redis: the machine's own when it answers on 6379; otherwise one started here (Debian's redis-server). */
export function redis(log: (line: string) => void): Component {
  const dataDir = path.join(paths.data, 'redis');
  const isOurs = workingDirectoryIs(dataDir);
  return {
    name: 'redis',
    title: 'Redis',
    address: redisUrl,
    startupTimeoutMs: 15_000,
    logFile: logFile('redis'),
    answers: () => redisAnswers('127.0.0.1', 6379),
    owned: () => ownPid('redis', isOurs) !== undefined,
    async stop() {
      const pid = ownPid('redis', isOurs);
      if (pid === undefined) return false;
      await stopProcess('redis', pid);
      return true;
    },
    start() {
      if (!hasCommand('redis-server')) aptInstall(['redis-server'], log);
      mkdirSync(dataDir, { recursive: true });
      // Like the machine's own Redis: nothing kept on disk, so a restart empties the hot cabinet.
      startDetached(
        'redis',
        'redis-server',
        ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        dataDir,
      );
      return Promise.resolve();
    },
  };
}
