#!/bin/sh
# Writes the Connect worker's configuration from the environment and starts the distributed worker.
# Variables read (with defaults):
#   CONNECT_BOOTSTRAP_SERVERS (kafka:9092), CONNECT_GROUP_ID (chippy-connect),
#   CONNECT_REPLICATION_FACTOR (1: the storage topics' replication factor),
#   CONNECT_ADVERTISED_HOST (the host name), CONNECT_HEAP (512m), CONNECT_REST_PORT (8083),
#   CONNECT_METRICS_PORT (empty: no metrics; else Prometheus's JMX exporter agent serves the worker's
#   metrics there) with CONNECT_METRICS_RULES (/opt/jmx-exporter/kafka-connect.yml: its rules,
#   deploy/compose/connect/jmx-exporter/kafka-connect.yml)
# and, required, JDBC_PASSWORD: the PostgreSQL password, never written to the worker's or a connector's
# configuration. The worker's EnvVarConfigProvider (alias env, allowed to read JDBC_PASSWORD and
# nothing else) resolves "${env:JDBC_PASSWORD}" in the sink's config when the task starts, so the
# password is not in the connector config that the REST API shows and _connect-configs stores.
# Empty is allowed, for a database with trust authentication (Compose).
# scheduled.rebalance.max.delay.ms is 10 s, not Kafka's 5 min: the shop runs one worker, and a worker that
# loses its group coordinator (a broker cut off) rejoins as a new member, so its own sink task waited out
# the whole delay for the member it used to be (docs/architecture.md, "On a cluster of three brokers").
set -eu
: "${JDBC_PASSWORD?is not set: the JDBC sink reads the PostgreSQL password from it (empty for trust auth)}"
config=/tmp/connect-worker.properties
cat > "$config" <<PROPERTIES
bootstrap.servers=${CONNECT_BOOTSTRAP_SERVERS:-kafka:9092}
group.id=${CONNECT_GROUP_ID:-chippy-connect}
listeners=http://0.0.0.0:${CONNECT_REST_PORT:-8083}
rest.advertised.host.name=${CONNECT_ADVERTISED_HOST:-$(hostname)}
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
config.storage.topic=_connect-configs
offset.storage.topic=_connect-offsets
status.storage.topic=_connect-status
config.storage.replication.factor=${CONNECT_REPLICATION_FACTOR:-1}
offset.storage.replication.factor=${CONNECT_REPLICATION_FACTOR:-1}
status.storage.replication.factor=${CONNECT_REPLICATION_FACTOR:-1}
plugin.path=/opt/connect-plugins
scheduled.rebalance.max.delay.ms=10000
plugin.discovery=hybrid_warn
config.providers=env
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
config.providers.env.param.allowlist.pattern=^JDBC_PASSWORD\$
PROPERTIES
export KAFKA_HEAP_OPTS="-Xms${CONNECT_HEAP:-512m} -Xmx${CONNECT_HEAP:-512m}"
# The agent goes in KAFKA_OPTS of the worker's JVM only (exported here, not in the container's env):
# a Kafka tool run later in this container (kafka-run-class.sh adds $KAFKA_OPTS to every tool) would
# try to bind the same port and fail.
if [ -n "${CONNECT_METRICS_PORT:-}" ]; then
  rules="${CONNECT_METRICS_RULES:-/opt/jmx-exporter/kafka-connect.yml}"
  [ -r "$rules" ] || { echo "start-connect: CONNECT_METRICS_RULES: no readable rules file at $rules" >&2; exit 2; }
  export KAFKA_OPTS="${KAFKA_OPTS:+$KAFKA_OPTS }-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=${CONNECT_METRICS_PORT}:${rules}"
fi
export LOG_DIR=/tmp/connect-logs
exec /opt/kafka/bin/connect-distributed.sh "$config"
