import type { AvroSchemaObject } from '@chippy/kafka';
import { schemaVersions } from './generated/schemas.js';

/** The versions of `Order` in the repository: 1 is connectors/schemas/history/order.v1.avsc, the last is order.avsc. */
export const orderSchemaVersions: readonly AvroSchemaObject[] = schemaVersions.Order;
export const latestOrderSchemaVersion = orderSchemaVersions.length;

/** The `Order` record of a version, from 1. */
export function orderSchemaVersion(version: number): AvroSchemaObject {
  const schema = orderSchemaVersions[version - 1];
  if (!schema) throw new Error(`there is no version ${version} of the Order schema`);
  return schema;
}
