#!/bin/sh
# kafka-get-offsets.sh as Kafka's distribution has it: org.apache.kafka.tools.GetOffsetShell through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.GetOffsetShell "$@"
