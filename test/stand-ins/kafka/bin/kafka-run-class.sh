#!/bin/sh
# kafka-run-class.sh as Kafka's distribution has it, reduced to what matters to a caller: every tool and
# server runs `java` with $KAFKA_HEAP_OPTS, $KAFKA_JVM_PERFORMANCE_OPTS, $KAFKA_JMX_OPTS, $KAFKA_LOG4J_OPTS
# and — for every tool alike — $KAFKA_OPTS, on the classpath of /opt/kafka/libs.
# Usage: kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS…] (the flags are accepted, and
# ignored: a container runs in the foreground and logs to stdout).
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon | -loggc) shift ;;
    -name) shift 2 ;;
    *) break ;;
  esac
done
if [ -n "${JMX_PORT:-}" ] && [ -z "${KAFKA_JMX_OPTS:-}" ]; then
  KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.port=$JMX_PORT"
fi
# shellcheck disable=SC2086 # the *_OPTS are lists of JVM flags, split on purpose
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true} \
  ${KAFKA_JMX_OPTS:-} ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties} \
  -cp '/opt/kafka/libs/*' ${KAFKA_OPTS:-} "$@"
