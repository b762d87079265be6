import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';

/** Everything the stack downloads, stores and logs lives under one ignored folder. */
export const stackDir = process.env.CHIPPY_STACK_DIR ?? path.join(repoRoot, '.stack');

export const paths = {
  mavenSettings: path.join(repoRoot, 'deploy/local/maven/settings.xml'),
  artifacts: path.join(stackDir, 'artifacts'),
  kafkaLib: path.join(stackDir, 'artifacts/kafka/lib'),
  plugins: path.join(stackDir, 'artifacts/connect-plugins'),
  registry: path.join(stackDir, 'artifacts/apicurio-registry'),
  config: path.join(stackDir, 'config'),
  data: path.join(stackDir, 'data'),
  logs: path.join(stackDir, 'logs'),
  run: path.join(stackDir, 'run'),
};
