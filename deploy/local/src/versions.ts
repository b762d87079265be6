// Every artifact the native stack runs, pinned. Changing one here changes what `stack:up` fetches.
export const versions = {
  kafka: '4.3.1',
  log4j: '2.25.4',
  // Debezium's JDBC sink; 3.6.1.Final is not served by Maven Central, 3.6.0.Final is.
  debeziumJdbc: '3.6.0.Final',
  // Apicurio 3.x needs Java 21 and its Connect converter 3.x is not served whole; the 2.6 line runs on
  // Java 17 and its registry and converter come from the same release.
  apicurio: '2.6.13.Final',
} as const;
