import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether an executable is on PATH. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let updated = false;

/** Installs Debian packages (the stack runs as root on the machines it targets). */
export function aptInstall(packages: string[], log: (line: string) => void): void {
  if (!existsSync('/usr/bin/apt-get'))
    throw new Error(`${packages.join(', ')} missing and apt-get is not available`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    log('apt-get update…');
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    updated = true;
  }
  log(`apt-get install ${packages.join(' ')}…`);
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    stdio: 'ignore',
    env,
  });
}
