// The three-broker Compose project (compose.yaml + compose.cluster.yaml) and the faults an operator meets on
// it: a broker killed, restarted, or cut off from the network while it keeps running.
import type { Admin } from 'kafkajs';
import type { ComposeProject } from './compose.js';

/** The brokers' Compose services, by node id − 1 (KAFKA_NODE_ID in compose.cluster.yaml). */
export const brokers = ['kafka', 'kafka-2', 'kafka-3'] as const;
export type Broker = (typeof brokers)[number];

export function brokerOf(nodeId: number): Broker {
  const broker = brokers[nodeId - 1];
  if (!broker) throw new Error(`no broker with node id ${nodeId}`);
  return broker;
}

/** The Compose files of the cluster, as COMPOSE_FILE takes them. */
export const clusterComposeFiles = ['compose.yaml', 'compose.cluster.yaml'];

export class Cluster {
  constructor(readonly project: ComposeProject) {}

  /** Compose's network for the project (`<project>_default`, Compose v1 and v2 alike). */
  get network(): string {
    return `${this.project.name}_default`;
  }

  private async container(broker: Broker): Promise<string> {
    const found = (await this.project.containers()).find((c) => c.service === broker);
    if (!found) throw new Error(`no container for ${broker}`);
    return found.name;
  }

  /** SIGKILL to the broker's JVM: no controlled shutdown, no flush, as a lost machine. */
  async kill(broker: Broker): Promise<void> {
    await this.project.run(['kill', '-s', 'SIGKILL', broker]);
  }

  async start(broker: Broker): Promise<void> {
    await this.project.run(['start', broker]);
  }

  /** An operator's restart: SIGTERM (Kafka's controlled shutdown moves its leaders away first), then start. */
  async restart(broker: Broker): Promise<void> {
    await this.project.run(['restart', '-t', '120', broker]);
  }

  /**
   * Takes the broker off the project's network while it keeps running: the other brokers, the services and
   * the host (its published port goes with the address) reach it no more, and it reaches nobody.
   */
  async cutOff(broker: Broker): Promise<void> {
    await this.project.engine.cli(['network', 'disconnect', this.network, await this.container(broker)]);
  }

  /** Back on the network under the names Compose gave it (a new address; the names find it). */
  async rejoin(broker: Broker): Promise<void> {
    await this.project.engine.cli([
      'network',
      'connect',
      '--alias',
      broker,
      '--alias',
      'kafka-brokers',
      this.network,
      await this.container(broker),
    ]);
  }

  /** The node id of the active KRaft controller, as the quorum reports it (asked through a live broker). */
  async activeController(through: Broker = 'kafka'): Promise<number> {
    const out = await this.project.run([
      'exec',
      '-T',
      through,
      'sh',
      '-c',
      `KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/kafka-metadata-quorum.sh --bootstrap-server ${through}:9092 describe --status`,
    ]);
    const leader = /LeaderId:\s+(\d+)/.exec(out)?.[1];
    if (!leader) throw new Error(`no LeaderId in kafka-metadata-quorum's answer:\n${out}`);
    return Number(leader);
  }
}

/** The node id leading each partition of `topic`. */
export async function leaders(admin: Admin, topic: string): Promise<Map<number, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return new Map((topics[0]?.partitions ?? []).map((p) => [p.partitionId, p.leader]));
}

/**
 * Partitions (of every topic) with fewer in-sync replicas than replicas, or no leader: `topic/partition`
 * with its ISR. Empty once the cluster has healed.
 */
export async function underReplicated(admin: Admin): Promise<string[]> {
  const names = await admin.listTopics();
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  return topics.flatMap((t) =>
    t.partitions
      .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
      .map((p) => `${t.name}/${p.partitionId} isr [${p.isr.join(',')}] of [${p.replicas.join(',')}]`),
  );
}

/**
 * The longest pause in a stream of event times (ms) within [from, to]: how long the shop stopped making
 * orders ready. The edges count as events, so a stream that stops before `to` shows the pause.
 */
export function longestPause(times: number[], from: number, to: number): { ms: number; at: number } {
  const inside = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const points = [from, ...inside, to];
  let longest = { ms: 0, at: from };
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]! - points[i - 1]!;
    if (gap > longest.ms) longest = { ms: gap, at: points[i - 1]! };
  }
  return longest;
}
