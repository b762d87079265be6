export { up, down, status, endpoints, endpointsFromEnv, StackError, logFiles } from './stack.js';
export type { Endpoints, ComponentStatus } from './stack.js';
export { registryNativeApi } from './components/registry.js';
export { paths, stackDir } from './paths.js';
export { fetchArtifacts } from './fetch.js';
export { serviceNodeOptions } from './node-options.js';
export { pinnedNode, requirePinnedNode } from './pinned-node.js';
