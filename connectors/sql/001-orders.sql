-- The orders the JDBC sink copies from the `orders` topic, one row per order_id (the sink upserts on it,
-- so a replay of the topic never duplicates a row). Identifiers are quoted because "count" is an SQL
-- function name and the original's "order" a keyword; the connectors quote them too.
-- order_time is timestamptz: the schema's timestamp-millis reaches Kafka Connect as a Timestamp.
create table if not exists "orders" (
  "order_id" text primary key,
  "till" text not null,
  "count" integer not null,
  "order_time" timestamptz not null,
  "items" text[] not null
);

create index if not exists "orders_order_time" on "orders" ("order_time");
