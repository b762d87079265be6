// Generated from connectors/schemas/*.avsc by scripts/codegen-schemas.mjs; do not edit.
// Change the .avsc files and run `npm run codegen -w libs/shop`.

/** One turn at the fryer: what a cook fried and which cook requests it answers. Key: the cook's id. */
export interface CookBatch {
  /** Unique per batch (UUID). */
  batch_id: string;
  cook: string;
  /** Logical type timestamp-millis. */
  started: number;
  /** Logical type timestamp-millis. */
  finished: number;
  /** Portions put in the cabinet per item (only items fried). */
  fried: Record<string, number>;
  /** The order_ids whose cook requests this batch answers; empty for a restock. */
  orders: string[];
}

/** A preparer asks the cook for portions the hot cabinet is short of. Key: order_id. */
export interface CookRequest {
  order: Order;
  /** Portions missing per cabinet item (cod, chips, plaice). */
  short: Record<string, number>;
  /** Who asked. */
  preparer: string;
  /** Logical type timestamp-millis. */
  prepare_started: number;
  /** How many times this order has been sent to the cook. Default: 1. */
  attempt: number;
}

/** The cook has put the food in the cabinet; any preparer may finish the order. Key: order_id. */
export interface Cooked {
  order: Order;
  /** Portions added to the cabinet per item. */
  cooked: Record<string, number>;
  cook: string;
  /** Logical type timestamp-millis. */
  prepare_started: number;
  /** Default: 1. */
  attempt: number;
}

/** An order handed over to the customer. Key: order_id. */
export interface OrderReady {
  /** Logical type uuid. */
  order_id: string;
  till: string;
  count: number;
  /** Logical type timestamp-millis. */
  order_time: number;
  items: string[];
  /** The preparer that finished the order. */
  preparer: string;
  /** When a preparer first picked the order up. Logical type timestamp-millis. */
  prepare_started: number;
  /** When the order was handed over. Logical type timestamp-millis. */
  ready_time: number;
  /** Whether the order waited for the cook. Default: false. */
  cooked: boolean;
}

/** An order taken at a till. Key: order_id. */
export interface Order {
  /** Globally unique id (UUID v4). Logical type uuid. */
  order_id: string;
  /** The till that took the order. */
  till: string;
  /** The till's own sequence number, from 1. */
  count: number;
  /** When the order was taken, UTC milliseconds. Logical type timestamp-millis. */
  order_time: number;
  /** Menu items, e.g. "cod & chips". */
  items: string[];
  /** How the customer paid: "cash" or "card"; null on orders from tills before version 2 of this schema. Default: null. */
  payment?: null | string;
}

/** connectors/schemas/cook-batch.avsc, references expanded inline. */
export const CookBatchSchema = {
  type: 'record',
  name: 'CookBatch',
  namespace: 'chippy',
  doc: "One turn at the fryer: what a cook fried and which cook requests it answers. Key: the cook's id.",
  fields: [
    {
      name: 'batch_id',
      type: 'string',
      doc: 'Unique per batch (UUID).',
    },
    {
      name: 'cook',
      type: 'string',
    },
    {
      name: 'started',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'finished',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'fried',
      type: {
        type: 'map',
        values: 'int',
      },
      doc: 'Portions put in the cabinet per item (only items fried).',
    },
    {
      name: 'orders',
      type: {
        type: 'array',
        items: 'string',
      },
      doc: 'The order_ids whose cook requests this batch answers; empty for a restock.',
    },
  ],
} as const;

/** connectors/schemas/cook-request.avsc, references expanded inline. */
export const CookRequestSchema = {
  type: 'record',
  name: 'CookRequest',
  namespace: 'chippy',
  doc: 'A preparer asks the cook for portions the hot cabinet is short of. Key: order_id.',
  fields: [
    {
      name: 'order',
      type: {
        type: 'record',
        name: 'Order',
        namespace: 'chippy',
        doc: 'An order taken at a till. Key: order_id.',
        fields: [
          {
            name: 'order_id',
            type: {
              type: 'string',
              logicalType: 'uuid',
            },
            doc: 'Globally unique id (UUID v4).',
          },
          {
            name: 'till',
            type: 'string',
            doc: 'The till that took the order.',
          },
          {
            name: 'count',
            type: 'int',
            doc: "The till's own sequence number, from 1.",
          },
          {
            name: 'order_time',
            type: {
              type: 'long',
              logicalType: 'timestamp-millis',
            },
            doc: 'When the order was taken, UTC milliseconds.',
          },
          {
            name: 'items',
            type: {
              type: 'array',
              items: 'string',
            },
            doc: 'Menu items, e.g. "cod & chips".',
          },
          {
            name: 'payment',
            type: ['null', 'string'],
            default: null,
            doc: 'How the customer paid: "cash" or "card"; null on orders from tills before version 2 of this schema.',
          },
        ],
      },
    },
    {
      name: 'short',
      type: {
        type: 'map',
        values: 'int',
      },
      doc: 'Portions missing per cabinet item (cod, chips, plaice).',
    },
    {
      name: 'preparer',
      type: 'string',
      doc: 'Who asked.',
    },
    {
      name: 'prepare_started',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'attempt',
      type: 'int',
      default: 1,
      doc: 'How many times this order has been sent to the cook.',
    },
  ],
} as const;

/** connectors/schemas/cooked.avsc, references expanded inline. */
export const CookedSchema = {
  type: 'record',
  name: 'Cooked',
  namespace: 'chippy',
  doc: 'The cook has put the food in the cabinet; any preparer may finish the order. Key: order_id.',
  fields: [
    {
      name: 'order',
      type: {
        type: 'record',
        name: 'Order',
        namespace: 'chippy',
        doc: 'An order taken at a till. Key: order_id.',
        fields: [
          {
            name: 'order_id',
            type: {
              type: 'string',
              logicalType: 'uuid',
            },
            doc: 'Globally unique id (UUID v4).',
          },
          {
            name: 'till',
            type: 'string',
            doc: 'The till that took the order.',
          },
          {
            name: 'count',
            type: 'int',
            doc: "The till's own sequence number, from 1.",
          },
          {
            name: 'order_time',
            type: {
              type: 'long',
              logicalType: 'timestamp-millis',
            },
            doc: 'When the order was taken, UTC milliseconds.',
          },
          {
            name: 'items',
            type: {
              type: 'array',
              items: 'string',
            },
            doc: 'Menu items, e.g. "cod & chips".',
          },
          {
            name: 'payment',
            type: ['null', 'string'],
            default: null,
            doc: 'How the customer paid: "cash" or "card"; null on orders from tills before version 2 of this schema.',
          },
        ],
      },
    },
    {
      name: 'cooked',
      type: {
        type: 'map',
        values: 'int',
      },
      doc: 'Portions added to the cabinet per item.',
    },
    {
      name: 'cook',
      type: 'string',
    },
    {
      name: 'prepare_started',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'attempt',
      type: 'int',
      default: 1,
    },
  ],
} as const;

/** connectors/schemas/order-ready.avsc, references expanded inline. */
export const OrderReadySchema = {
  type: 'record',
  name: 'OrderReady',
  namespace: 'chippy',
  doc: 'An order handed over to the customer. Key: order_id.',
  fields: [
    {
      name: 'order_id',
      type: {
        type: 'string',
        logicalType: 'uuid',
      },
    },
    {
      name: 'till',
      type: 'string',
    },
    {
      name: 'count',
      type: 'int',
    },
    {
      name: 'order_time',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'items',
      type: {
        type: 'array',
        items: 'string',
      },
    },
    {
      name: 'preparer',
      type: 'string',
      doc: 'The preparer that finished the order.',
    },
    {
      name: 'prepare_started',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
      doc: 'When a preparer first picked the order up.',
    },
    {
      name: 'ready_time',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
      doc: 'When the order was handed over.',
    },
    {
      name: 'cooked',
      type: 'boolean',
      default: false,
      doc: 'Whether the order waited for the cook.',
    },
  ],
} as const;

/** connectors/schemas/order.avsc, references expanded inline. */
export const OrderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'chippy',
  doc: 'An order taken at a till. Key: order_id.',
  fields: [
    {
      name: 'order_id',
      type: {
        type: 'string',
        logicalType: 'uuid',
      },
      doc: 'Globally unique id (UUID v4).',
    },
    {
      name: 'till',
      type: 'string',
      doc: 'The till that took the order.',
    },
    {
      name: 'count',
      type: 'int',
      doc: "The till's own sequence number, from 1.",
    },
    {
      name: 'order_time',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
      doc: 'When the order was taken, UTC milliseconds.',
    },
    {
      name: 'items',
      type: {
        type: 'array',
        items: 'string',
      },
      doc: 'Menu items, e.g. "cod & chips".',
    },
    {
      name: 'payment',
      type: ['null', 'string'],
      default: null,
      doc: 'How the customer paid: "cash" or "card"; null on orders from tills before version 2 of this schema.',
    },
  ],
} as const;

/** connectors/schemas/history/order.v1.avsc: version 1 of order.avsc, superseded. */
export const OrderV1Schema = {
  type: 'record',
  name: 'Order',
  namespace: 'chippy',
  doc: 'An order taken at a till. Key: order_id.',
  fields: [
    {
      name: 'order_id',
      type: {
        type: 'string',
        logicalType: 'uuid',
      },
      doc: 'Globally unique id (UUID v4).',
    },
    {
      name: 'till',
      type: 'string',
      doc: 'The till that took the order.',
    },
    {
      name: 'count',
      type: 'int',
      doc: "The till's own sequence number, from 1.",
    },
    {
      name: 'order_time',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
      doc: 'When the order was taken, UTC milliseconds.',
    },
    {
      name: 'items',
      type: {
        type: 'array',
        items: 'string',
      },
      doc: 'Menu items, e.g. "cod & chips".',
    },
  ],
} as const;

/** Every version of each record that has a history, oldest first: version N is at index N - 1. */
export const schemaVersions = { Order: [OrderV1Schema, OrderSchema] } as const;

/** Every top-level schema by record name. */
export const schemas = {
  CookBatch: CookBatchSchema,
  CookRequest: CookRequestSchema,
  Cooked: CookedSchema,
  OrderReady: OrderReadySchema,
  Order: OrderSchema,
} as const;
