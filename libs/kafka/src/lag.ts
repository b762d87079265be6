import { errorMessage, type Logger } from '@chippy/runtime';
import type { Admin } from 'kafkajs';
import type { Gauge } from 'prom-client';

/**
 * Messages in a partition the group has not consumed yet. Kafka offsets are strings; a committed offset
 * of -1 means the group has committed nothing there yet, and then everything still retained (high minus
 * low watermark) counts as lag: the honest figure for a group that will read from the earliest offset,
 * and one that drops to the real value with the group's first commit otherwise.
 */
export function computeLag(high: string, committed: string, low = '0'): number {
  const start = Number(committed) < 0 ? Number(low) : Number(committed);
  return Math.max(0, Number(high) - start);
}

export interface LagMonitorOptions {
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;
  groupId: string;
  topics: string[];
  gauge: Gauge<'group' | 'topic' | 'partition'>;
  intervalMs: number;
  logger: Logger;
}

/** Samples the group's lag now and then every `intervalMs`; failures are logged, never thrown. */
export function startLagMonitor({ admin, groupId, topics, gauge, intervalMs, logger }: LagMonitorOptions) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function sample(): Promise<void> {
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const watermarks = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
        for (const { partition, offset } of partitions) {
          const marks = watermarks.get(partition);
          if (!marks) continue;
          gauge.set(
            { group: groupId, topic, partition: String(partition) },
            computeLag(marks.high, offset, marks.low),
          );
        }
      }
    } catch (error) {
      logger.warn({ groupId, topics, err: errorMessage(error) }, 'could not sample consumer lag');
    }
  }

  let running = (async function loop(): Promise<void> {
    await sample();
    if (stopped) return;
    timer = setTimeout(() => {
      running = loop();
    }, intervalMs);
  })();

  return {
    /** Stops sampling; resolves once a sample in progress has finished. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
