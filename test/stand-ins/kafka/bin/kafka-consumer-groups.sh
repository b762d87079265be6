#!/bin/sh
# kafka-consumer-groups.sh as Kafka's distribution has it: org.apache.kafka.tools.consumer.group.ConsumerGroupCommand through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
