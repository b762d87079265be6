import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from './paths.js';

/**
 * The stack's own processes: started detached (they outlive `stack:up`), each with a pid file and a log
 * file. A pid file is trusted only while that pid's command line still carries our marker, so `down`
 * never signals a process the stack did not start, even after pid reuse.
 */
export function marker(component: string): string {
  return `-Dchippy.stack.component=${component}`;
}

export function logFile(component: string): string {
  return path.join(paths.logs, `${component}.log`);
}

function pidFile(component: string): string {
  return path.join(paths.run, `${component}.pid`);
}

export function startDetached(component: string, command: string, args: string[], cwd?: string): number {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.run, { recursive: true });
  const out = openSync(logFile(component), 'a');
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', out, out] });
  if (child.pid === undefined) throw new Error(`could not start ${component} (${command})`);
  child.unref();
  writeFileSync(pidFile(component), String(child.pid));
  return child.pid;
}

/** The pid of our running process for this component, or undefined. */
export function ownPid(component: string, isOurs: (pid: number) => boolean): number | undefined {
  const file = pidFile(component);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isOurs(pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return pid;
}

export function commandLineHas(text: string): (pid: number) => boolean {
  return (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(text);
    } catch {
      return false;
    }
  };
}

/** For programs that rewrite their command line (redis-server does): match the working directory. */
export function workingDirectoryIs(dir: string): (pid: number) => boolean {
  return (pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  };
}

/**
 * True while the process runs. A zombie counts as gone: a component started by a process that is still
 * alive but not reaping (the test runner blocked in spawnSync, say) stays a zombie after it exits, and
 * waiting for that to vanish would wait forever.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): the signal check above is all there is
  }
}

/** SIGTERM, then SIGKILL after the grace period. Resolves once the process is gone. */
export async function stopProcess(component: string, pid: number, graceMs = 20_000): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal); // the whole detached process group
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    signalGroup('SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  rmSync(pidFile(component), { force: true });
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
