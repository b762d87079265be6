export {
  cabinetKeys,
  redisCabinet,
  type Cabinet,
  type InterruptedClaim,
  type LedgerMode,
  type OrderPortions,
  type RequestPortions,
  type TakeResult,
} from './cabinet.js';
export {
  CookBatchSchema,
  CookedSchema,
  CookRequestSchema,
  OrderReadySchema,
  OrderSchema,
  OrderV1Schema,
  schemas,
  schemaVersions,
  type CookBatch,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
} from './generated/schemas.js';
export {
  cabinetItems,
  isOnMenu,
  menu,
  menuItems,
  noPortions,
  OffMenuError,
  portionsFor,
  type CabinetItem,
  type MenuItem,
  type Portions,
} from './menu.js';
export { latestOrderSchemaVersion, orderSchemaVersion, orderSchemaVersions } from './order-versions.js';
export { shopSerde } from './serde.js';
export { startService, type Service, type ServiceOptions } from './service.js';
export { parseId, parseTopicPrefix, shopSettings } from './settings.js';
export { scaledDelay } from './time-scale.js';
export {
  compareTopics,
  consumerGroups,
  defaultPartitions,
  topicConfigEntries,
  topicDeclarations,
  topicNames,
  topicSpecs,
  type TopicDeclaration,
  type TopicNames,
  type TopicSettingReport,
} from './topics.js';
export {
  checkCookBatch,
  checkCooked,
  checkCookRequest,
  checkOrder,
  checkOrderReady,
  idProblem,
  limits,
  messageChecks,
  type Check,
} from './valid.js';
