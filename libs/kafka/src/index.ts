export { connectSchema, type ConnectSchema } from './connect-schema.js';
export {
  connectGroup,
  coordinatorUnreachable,
  deadLetters,
  groupConsumer,
  heartbeatMeanwhile,
  type ConsumerContext,
  type DeadLetter,
  type GroupClients,
  type GroupConsumerOptions,
} from './consumer.js';
export { DLQ_MAX_VALUE_BYTES, sendToDlq, type ConsumedMessage, type DlqOptions } from './dlq.js';
export { assignedPartitions, memberLabel } from './group-members.js';
export {
  certFiles,
  consumerOptions,
  createKafka,
  describeKafka,
  kafkaErrorHint,
  kafkaSettingsProblem,
  parseCertsDir,
  producerOptions,
  transactionalProducerOptions,
  withKafkaHint,
  type KafkaConfig,
} from './kafka.js';
export { createConfluentKafka, loadConfluent, type ConfluentSecurity } from './kafka-confluent.js';
export { normalKafkaEvents } from './kafkajs-log.js';
export { computeLag, startLagMonitor, type LagMonitorOptions } from './lag.js';
export { pinRecords } from './pin-records.js';
export {
  createRegistry,
  createRegistryAdmin,
  isTransientRegistryError,
  registryReason,
  RegistryHttpError,
  SchemaIncompatibleError,
  type CompatibilityVerdict,
  type RegistryLike,
  type RegistryOptions,
} from './registry.js';
export {
  createSerde,
  DecodeError,
  type AvroSchemaObject,
  type DecodeReason,
  type MessageFormat,
  type Serde,
  type SerdeOptions,
} from './serde.js';
export { connectUrlSetting, kafkaAccessSettings, kafkaSettings } from './settings.js';
export {
  connectAndEnsureTopics,
  describeTopics,
  ensureTopics,
  leadersElected,
  type ActualTopic,
  type TopicAdmin,
  type TopicSpec,
} from './topics.js';
