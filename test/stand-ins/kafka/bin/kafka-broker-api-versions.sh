#!/bin/sh
# kafka-broker-api-versions.sh as Kafka's distribution has it: org.apache.kafka.tools.BrokerApiVersionsCommand through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
