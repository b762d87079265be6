import { sleep, type Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from '../kafkajs-log.js';
import { AssignerProtocol, type Admin, type ConsumerGroupState, type GroupDescription } from 'kafkajs';
import { type TreeError, withKafkaJsErrors, notBridged } from './errors.js';
import { defaults } from './options.js';

interface InnerMetadata {
  id: string;
  controllerId: number;
  brokers: Map<number, { host: string; port: number }>;
  topics: Map<
    string,
    {
      partitionsCount: number;
      partitions: { leader: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }[];
    }
  >;
}

interface InnerGroup {
  id: string;
  state: string;
  protocol: string;
  protocolType: string;
  members: Map<
    string,
    {
      id: string;
      clientId: string;
      clientHost: string;
      metadata?: { version: number; topics: string[]; metadata?: Buffer | null };
      assignments?: Map<string, { topic: string; partitions: number[] }>;
    }
  >;
}

/** What the adapter uses of a @platformatic/kafka admin client. */
export interface InnerAdmin {
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<InnerMetadata>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: string[];
    partitions: number;
    replicas: number;
    configs: { name: string; value: string }[];
  }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  listOffsets(options: {
    topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
    isolationLevel?: 0 | 1;
  }): Promise<{ name: string; partitions: { partitionIndex: number; offset: bigint }[] }[]>;
  listConsumerGroupOffsets(options: {
    groups: { groupId: string; topics: { name: string; partitionIndexes: number[] }[] }[];
  }): Promise<
    {
      groupId: string;
      topics: {
        name: string;
        partitions: { partitionIndex: number; committedOffset: bigint; metadata: string | null }[];
      }[];
    }[]
  >;
  describeGroups(options: { groups: string[] }): Promise<Map<string, InnerGroup>>;
  deleteGroups(options: { groups: string[] }): Promise<void>;
  listGroups(): Promise<Map<string, { id: string; protocolType: string }>>;
  close(): Promise<void>;
}

const groupStates: ConsumerGroupState[] = [
  'Unknown',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty',
];

/** kafkajs's group description, with the member metadata and assignment as the protocol's bytes. */
export function groupDescription(groupId: string, group: InnerGroup | undefined): GroupDescription {
  if (!group) return { groupId, members: [], protocol: '', protocolType: '', state: 'Dead' };
  return {
    groupId,
    protocol: group.protocol,
    protocolType: group.protocolType,
    // The client gives the state upper-cased; kafkajs gives it as Kafka names it.
    state: groupStates.find((s) => s.toUpperCase() === group.state.toUpperCase()) ?? 'Unknown',
    members: [...group.members.values()].map((m) => ({
      memberId: m.id,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: m.metadata
        ? AssignerProtocol.MemberMetadata.encode({
            version: m.metadata.version,
            topics: m.metadata.topics,
            userData: m.metadata.metadata ?? Buffer.alloc(0),
          })
        : Buffer.alloc(0),
      memberAssignment: m.assignments
        ? AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: Object.fromEntries([...m.assignments.values()].map((a) => [a.topic, a.partitions])),
            userData: Buffer.alloc(0),
          })
        : Buffer.alloc(0),
    })),
  };
}

const LATEST = -1n;
const EARLIEST = -2n;

export function adaptAdmin(make: () => Promise<InnerAdmin>, logger: Logger): Admin {
  let made: Promise<InnerAdmin> | undefined;
  const inner = () => (made ??= make());
  const call = async <T>(work: (admin: InnerAdmin) => Promise<T>): Promise<T> =>
    withKafkaJsErrors(work(await inner()));

  const partitionsOf = async (topic: string) => {
    const metadata = await call((a) => a.metadata({ topics: [topic] }));
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, i) => i);
  };
  /** Each partition's offset at `timestamp` (LATEST, EARLIEST or ms), -1 where there is none. */
  const offsetsAt = async (topic: string, timestamp: bigint, isolationLevel: 0 | 1 = 1) => {
    const partitions = await partitionsOf(topic);
    const [found] = await call((a) =>
      a.listOffsets({
        topics: [
          { name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) },
        ],
        isolationLevel,
      }),
    );
    return new Map((found?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  };
  const fetchTopicMetadata = async ({ topics }: { topics?: string[] } = {}) => {
    const names = topics ?? (await call((a) => a.listTopics()));
    const metadata = await call((a) => a.metadata({ topics: names, forceUpdate: true }));
    return {
      topics: names.map((name) => ({
        name,
        partitions: (metadata.topics.get(name)?.partitions ?? []).map((p, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      })),
    };
  };

  const admin = {
    async connect() {
      await call((a) => a.metadata({ topics: [] }));
    },
    async disconnect() {
      const closing = made;
      made = undefined;
      if (closing) await (await closing).close();
    },
    listTopics: () => call((a) => a.listTopics()),
    /**
     * One request per topic (the client takes one partition count for all the topics of a request).
     * Like kafkajs: false when every topic existed already, an error typed TOPIC_ALREADY_EXISTS per topic
     * when only some did, and with waitForLeaders (the default) it returns once every partition has a
     * leader (up to 10 s).
     */
    async createTopics({
      topics,
      validateOnly,
      waitForLeaders = true,
    }: {
      topics: {
        topic: string;
        numPartitions?: number;
        replicationFactor?: number;
        configEntries?: object[];
      }[];
      validateOnly?: boolean;
      waitForLeaders?: boolean;
    }) {
      if (validateOnly) throw notBridged('createTopics with validateOnly');
      const existed: string[] = [];
      for (const { topic, numPartitions = -1, replicationFactor = -1, configEntries = [] } of topics) {
        try {
          await call((a) =>
            a.createTopics({
              topics: [topic],
              partitions: numPartitions,
              replicas: replicationFactor,
              configs: configEntries as { name: string; value: string }[],
            }),
          );
        } catch (error) {
          if ((error as TreeError).type !== 'TOPIC_ALREADY_EXISTS') throw error;
          existed.push(topic);
        }
      }
      if (existed.length === topics.length) return false;
      if (existed.length > 0) {
        throw Object.assign(new Error(`topics exist already: ${existed.join(', ')}`), {
          errors: existed.map((topic) => ({ topic, type: 'TOPIC_ALREADY_EXISTS' })),
        });
      }
      if (!waitForLeaders) return true;
      const names = topics.map((t) => t.topic);
      for (
        const deadline = Date.now() + defaults.leadersTimeout;
        Date.now() < deadline;
        await sleep(defaults.leadersPoll)
      ) {
        const led = await fetchTopicMetadata({ topics: names })
          .then((m) =>
            m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
          )
          .catch(() => false);
        if (led) break;
      }
      return true;
    },
    deleteTopics: ({ topics }: { topics: string[] }) => call((a) => a.deleteTopics({ topics })),
    fetchTopicMetadata,
    async fetchOffsets({ groupId, topics }: { groupId: string; topics?: string[] }) {
      if (!topics) throw notBridged('fetchOffsets without topics');
      const wanted = await Promise.all(
        topics.map(async (name) => ({ name, partitionIndexes: await partitionsOf(name) })),
      );
      const [group] = await call((a) =>
        a.listConsumerGroupOffsets({ groups: [{ groupId, topics: wanted }] }),
      );
      return wanted.map(({ name, partitionIndexes }) => {
        const found = group?.topics.find((t) => t.name === name)?.partitions ?? [];
        return {
          topic: name,
          partitions: partitionIndexes.map((partition) => {
            const p = found.find((f) => f.partitionIndex === partition);
            return { partition, offset: String(p?.committedOffset ?? -1n), metadata: p?.metadata ?? null };
          }),
        };
      });
    },
    /** High (the last stable offset, read_committed as kafkajs asks) and low watermarks per partition. */
    async fetchTopicOffsets(topic: string) {
      const [high, low] = await Promise.all([offsetsAt(topic, LATEST), offsetsAt(topic, EARLIEST)]);
      return [...high].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
        high: String(offset),
        low: String(low.get(partition) ?? 0n),
      }));
    },
    /** The first offset at or after `timestamp` per partition; the high watermark where there is none (kafkajs). */
    async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number) {
      const [at, high] = await Promise.all([
        offsetsAt(topic, timestamp === undefined ? LATEST : BigInt(timestamp)),
        offsetsAt(topic, LATEST),
      ]);
      return [...at].map(([partition, offset]) => ({
        partition,
        offset: String(offset >= 0n ? offset : (high.get(partition) ?? 0n)),
      }));
    },
    async describeGroups(groupIds: string[]) {
      const groups = await call((a) => a.describeGroups({ groups: groupIds }));
      return { groups: groupIds.map((id) => groupDescription(id, groups.get(id))) };
    },
    async deleteGroups(groupIds: string[]) {
      await call((a) => a.deleteGroups({ groups: groupIds }));
      return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
    },
    async listGroups() {
      const groups = await call((a) => a.listGroups());
      return { groups: [...groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType })) };
    },
    async describeCluster() {
      const metadata = await call((a) => a.metadata({ topics: [] }));
      return {
        brokers: [...metadata.brokers].map(([nodeId, { host, port }]) => ({ nodeId, host, port })),
        controller: metadata.controllerId,
        clusterId: metadata.id,
      };
    },
    logger: () => kafkaJsStyleLogger(logger),
    on(name: string) {
      throw notBridged(`the admin event ${name}`);
    },
  };
  const unbridged = (name: string) => () => Promise.reject(notBridged(`admin.${name}`));
  for (const name of [
    'createPartitions',
    'setOffsets',
    'resetOffsets',
    'describeConfigs',
    'alterConfigs',
    'deleteTopicRecords',
    'describeAcls',
    'deleteAcls',
    'createAcls',
    'alterPartitionReassignments',
    'listPartitionReassignments',
  ]) {
    Object.assign(admin, { [name]: unbridged(name) });
  }
  return admin as unknown as Admin;
}
