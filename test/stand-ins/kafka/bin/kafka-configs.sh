#!/bin/sh
# kafka-configs.sh as Kafka's distribution has it: kafka.admin.ConfigCommand through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh kafka.admin.ConfigCommand "$@"
