import { commonSettings, startService } from '@chippy/messaging';

// The summary's frame: configuration, --help, logs, /metrics and the probes, graceful shutdown. Reading
// PostgreSQL (filled by the JDBC sink) and the live page come with the connector work.
const service = await startService({
  name: 'summary',
  description:
    'The summary: totals from PostgreSQL, a live web page and metrics (the reading part is to come).',
  httpPort: 8080,
  settings: { databaseUrl: commonSettings.databaseUrl },
});
service.logger.warn(
  'the summary does not read PostgreSQL yet: it serves only /metrics, /healthz and /readyz',
);
service.readiness('http')(true);
