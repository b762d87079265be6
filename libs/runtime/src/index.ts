export {
  ConfigError,
  describeConfig,
  httpHostSetting,
  loadConfig,
  loadConfigOrExit,
  logLevels,
  parseBoolean,
  parseEnum,
  parseHostPortList,
  parseInteger,
  parseNumber,
  parsePort,
  parseString,
  parseUrl,
  runtimeSettings,
  setting,
  withDefault,
  type ConfigValues,
  type LoadConfigOptions,
  type Setting,
  type Settings,
} from './config.js';
export { sendJson, startHttpServer, type HttpServer, type HttpServerOptions } from './http.js';
export { createLogger, type Logger } from './logger.js';
export { createMetrics, latencyBuckets, type Metrics } from './metrics.js';
export { errorMessage, retry, type RetryOptions } from './retry.js';
export { startRuntime, type Runtime, type RuntimeOptions } from './service.js';
export { onShutdown, startFailed, type Shutdown, type ShutdownOptions } from './shutdown.js';
export { sleep } from './sleep.js';
export { onUncaught } from './uncaught.js';
export { basicAuthHeader, redactUrl, redactUrlsIn, splitUrlAuth, type BasicAuth } from './urls.js';
