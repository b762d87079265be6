export {
  connectApi,
  ConnectError,
  ConnectorFailed,
  describeStatus,
  isRunning,
  type ConnectApi,
  type ConnectorStatus,
} from './connect-api.js';
export { deployConnector, lineLogger } from './deploy.js';
export { migrate, migrationFiles, sqlDir } from './migrate.js';
export {
  AIVEN_SECRET_KEYS,
  AIVEN_SECRET_PROVIDER,
  apicurioNativeApi,
  connectorsDir,
  isProviderReference,
  jdbcUrl,
  placeholders,
  redactConnector,
  render,
  renderConnector,
  secretKeys,
  templateFile,
  type Placeholders,
} from './render.js';
export {
  connectorNameOf,
  connectorSettings,
  targets,
  type ConnectorConfig,
  type Target,
} from './settings.js';
export { rootCause, watchConnector, type WatchOptions } from './watch.js';
export { runWatchService } from './watch-service.js';
