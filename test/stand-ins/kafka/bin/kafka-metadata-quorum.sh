#!/bin/sh
# kafka-metadata-quorum.sh as Kafka's distribution has it: org.apache.kafka.tools.MetadataQuorumCommand through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.MetadataQuorumCommand "$@"
