#!/bin/sh
# kafka-console-consumer.sh as Kafka's distribution has it: org.apache.kafka.tools.consumer.ConsoleConsumer through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
