#!/bin/sh
# kafka-console-producer.sh as Kafka's distribution has it: org.apache.kafka.tools.ConsoleProducer through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.ConsoleProducer "$@"
