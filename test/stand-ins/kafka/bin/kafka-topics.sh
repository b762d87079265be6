#!/bin/sh
# kafka-topics.sh as Kafka's distribution has it: org.apache.kafka.tools.TopicCommand through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.TopicCommand "$@"
