/**
 * A JVM tool started inside a container whose environment carries a Java agent bound to a port fails:
 * kafka-run-class.sh hands $KAFKA_OPTS to every Kafka tool (kafka-topics.sh, kafka-consumer-groups.sh,
 * connect-*.sh…), and any `java` reads JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS, so a probe or an
 * `exec` in a broker whose KAFKA_OPTS loads the JMX exporter on 9404 starts a second agent on 9404, which
 * the broker holds: the tool dies before it does anything. It also inherits the broker's heap
 * (KAFKA_HEAP_OPTS) unless it sets its own. Shared by the Compose and the Kubernetes checks.
 */

/** Variables whose options a JVM tool takes: Kafka's scripts read KAFKA_OPTS, every JVM the other two. */
const KAFKA_TOOL_VARS = ['KAFKA_OPTS', 'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS'];
const JAVA_VARS = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS'];

/** The port a `-javaagent:<jar>=[host:]port:<config>` option binds (the JMX exporter's form). */
export function agentPort(options: string): number | undefined {
  const m = /-javaagent:\S+?\.jar=(?:[\w.-]+:)?(\d+):/.exec(options);
  return m ? Number(m[1]) : undefined;
}

/** Which JVM the command starts, if any: a Kafka script (kafka-*.sh, connect-*.sh) or java itself. */
export function jvmToolIn(command: string): { tool: string; kafka: boolean } | undefined {
  const script = /(?:^|[\s/;&|(])((?:kafka|connect)-[\w-]+\.sh)\b/.exec(command);
  if (script) return { tool: script[1] as string, kafka: true };
  if (/(?:^|[\s/;&|(])java(?:\s|$)/.test(command)) return { tool: 'java', kafka: false };
  return undefined;
}

/** Whether the command clears (or replaces) a variable before the tool runs. */
export function clears(command: string, name: string): boolean {
  return (
    new RegExp(`\\benv\\b[^;&|]*\\s-u\\s*${name}\\b`).test(command) ||
    new RegExp(`\\benv\\s+(-i|--ignore-environment)\\b`).test(command) ||
    new RegExp(`\\bunset\\s+(?:\\w+\\s+)*${name}\\b`).test(command) ||
    new RegExp(`(?:^|[\\s;&|(])${name}=`).test(command)
  );
}

/** The heap a KAFKA_HEAP_OPTS value gives, in MiB (-Xmx512m → 512). */
function heapMiB(options: string): number | undefined {
  const m = /-Xmx(\d+)([kKmMgG]?)/.exec(options);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return unit === 'g' ? n * 1024 : unit === 'm' ? n : unit === 'k' ? n / 1024 : n / 1024 ** 2;
}

/**
 * What is wrong with running `command` in a container with environment `env` (literal values only):
 * one line per problem, without the container's name (the caller says where). Empty when the command
 * starts no JVM tool, or clears what it must.
 */
export function jvmToolEnvProblems(command: string, env: Readonly<Record<string, string>>): string[] {
  const jvm = jvmToolIn(command);
  if (!jvm) return [];
  const problems: string[] = [];
  for (const name of jvm.kafka ? KAFKA_TOOL_VARS : JAVA_VARS) {
    const port = agentPort(env[name] ?? '');
    if (port !== undefined && !clears(command, name))
      problems.push(
        `runs ${jvm.tool} with ${name} carrying a -javaagent bound to port ${port}, which the container's own JVM holds: the tool fails to start (clear it: env -u ${name} …)`,
      );
  }
  const heap = heapMiB(env.KAFKA_HEAP_OPTS ?? '');
  if (jvm.kafka && heap !== undefined && heap >= 256 && !clears(command, 'KAFKA_HEAP_OPTS'))
    problems.push(
      `runs ${jvm.tool} with the container's KAFKA_HEAP_OPTS (-Xmx${heap}m), a second heap that size beside the server's: give the tool its own (KAFKA_HEAP_OPTS=-Xmx96m …)`,
    );
  return problems;
}
