export { freePort } from './ports.js';
export { inRepo, repoRoot } from './repo.js';
