#!/usr/bin/env node
// The entry point: checks for a terminal, then starts the floor. React picks its build when first
// loaded, so NODE_ENV is set before the floor (and with it React) is imported: the development build
// checks every render, work a floor redrawn four times a second has no use for.
process.env.NODE_ENV ??= 'production';

if (!process.argv.includes('--help') && !(process.stdin.isTTY && process.stdout.isTTY)) {
  process.stderr.write(
    "floor: needs a terminal (stdin and stdout); in a browser, open the summary's /floor page instead\n",
  );
  process.exit(2);
}
// Ink draws only the last frame when CI is set (it reads the variable once, when loaded). The floor runs
// only on a terminal, so a CI variable in the environment (a CI job's tmux, say) must not blank it.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
await import('./run.js');
