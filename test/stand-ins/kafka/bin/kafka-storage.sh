#!/bin/sh
# kafka-storage.sh as Kafka's distribution has it: kafka.tools.StorageTool through kafka-run-class.sh.
exec /opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool "$@"
