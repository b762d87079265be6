#!/bin/sh
# Writes the Connect worker's configuration from the environment and starts the distributed worker.
# Variables read (with defaults):
#   CONNECT_BOOTSTRAP_SERVERS (kafka:9092), CONNECT_GROUP_ID (chippy-connect),
#   CONNECT_REPLICATION_FACTOR (1: the storage topics' replication factor),
#   CONNECT_ADVERTISED_HOST (the host name), CONNECT_HEAP (512m)
set -eu
config=/tmp/connect-worker.properties
cat > "$config" <<PROPERTIES
bootstrap.servers=${CONNECT_BOOTSTRAP_SERVERS:-kafka:9092}
group.id=${CONNECT_GROUP_ID:-chippy-connect}
listeners=http://0.0.0.0:8083
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
plugin.discovery=hybrid_warn
PROPERTIES
export KAFKA_HEAP_OPTS="-Xms${CONNECT_HEAP:-512m} -Xmx${CONNECT_HEAP:-512m}"
export LOG_DIR=/tmp/connect-logs
exec /opt/kafka/bin/connect-distributed.sh "$config"
