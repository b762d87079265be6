-- Version 2 of the Order schema adds `payment` ("cash" or "card"; null where a till on version 1 took the
-- order). The column is added before any till writes version 2: the sink runs with schema.evolution=none,
-- and Debezium's sink fails a record whose field has no column (docs/decisions/schema-migrations-first.md).
-- Old rows keep their values and get null here, which is what a reader of version 2 makes of an old order.
alter table "orders" add column if not exists "payment" text;
