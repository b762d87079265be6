import type { Logger } from '@chippy/runtime';
import { logLevel, type LogEntry } from 'kafkajs';

/**
 * Broker answers that are part of a group's or a cluster's normal life: a member joining or leaving (a
 * rebalance), a coordinator or partition leader moving, a just-created topic not yet everywhere, the next
 * transaction waiting for the last one's markers. kafkajs retries each by itself but logs many at ERROR
 * ("Response Heartbeat … The group is rebalancing"), which would show every `npm start` as failing. The
 * kafkajs error types, by their messages.
 */
export const normalKafkaEvents: Record<string, string> = {
  REBALANCE_IN_PROGRESS: 'The group is rebalancing, so a rejoin is needed',
  UNKNOWN_MEMBER_ID: 'The coordinator is not aware of this member',
  ILLEGAL_GENERATION: 'Specified group generation id is not valid',
  MEMBER_ID_REQUIRED:
    'The group member needs to have a valid member id before actually entering a consumer group',
  GROUP_LOAD_IN_PROGRESS: "The coordinator is loading and hence can't process requests for this group",
  GROUP_COORDINATOR_NOT_AVAILABLE: 'The group coordinator is not available',
  NOT_COORDINATOR_FOR_GROUP: 'This is not the correct coordinator for this group',
  LEADER_NOT_AVAILABLE:
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  NOT_LEADER_FOR_PARTITION: 'This server is not the leader for that topic-partition',
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition',
  CONCURRENT_TRANSACTIONS:
    'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
};

/**
 * kafkajs's own summary of a CreateTopics answer with errors: services starting together create the same
 * topics, and ensureTopics handles "already exists" and reports any other failure itself.
 */
const TOPIC_CREATION_ERRORS = 'Topic creation errors';

const normal = [...Object.values(normalKafkaEvents), TOPIC_CREATION_ERRORS];

/**
 * The level a kafkajs log line is written at: its own, except that an ERROR or WARN about a normal event
 * (in the message or in the `error` field kafkajs adds) is INFO. ERROR is kept for what needs a person.
 */
export function kafkaJsLevel(level: logLevel, message: string, extra: Record<string, unknown>): logLevel {
  if (level > logLevel.WARN) return level;
  const error = typeof extra.error === 'string' ? extra.error : '';
  const about = (text: string) => normal.some((event) => text.includes(event));
  const rejoining = /re-?joining/i.test(message); // the consumer's own "… re-joining the group"
  return about(message) || about(error) || rejoining ? logLevel.INFO : level;
}

/**
 * kafkajs 2.2.4 sets timers at `deadline - Date.now()` that are negative when nothing is due (its request
 * queue's throttle check, on every connection: https://github.com/tulios/kafkajs/issues/1751). Node runs
 * them after 1 ms, as it always has, but since Node 23 it also prints a `TimeoutNegativeWarning` once per
 * process, a line no user can act on in every service's output. This drops that warning when it comes from
 * kafkajs's own code, and no other (Node warns only once per process, so whichever negative timer comes
 * first decides whether the process prints one).
 */
export function isKafkaJsNegativeTimeout(type: string | undefined, stack: string | undefined): boolean {
  return type === 'TimeoutNegativeWarning' && /[/\\]node_modules[/\\]kafkajs[/\\]src[/\\]/.test(stack ?? '');
}

const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  const type = typeof options === 'string' ? options : (options as { type?: string } | undefined)?.type;
  if (isKafkaJsNegativeTimeout(type, new Error().stack)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
};

/**
 * The bridge between pino and kafkajs's logging, both ways: kafkajs's log lines into pino at the right level
 * (`kafkaJsLogCreator`), and pino behind the kafkajs-style logger the other clients' adapters offer.
 */

/** pino's levels as kafkajs's. */
export const toKafkaJsLevel: Record<string, logLevel> = {
  trace: logLevel.DEBUG,
  debug: logLevel.DEBUG,
  info: logLevel.INFO,
  warn: logLevel.WARN,
  error: logLevel.ERROR,
  fatal: logLevel.ERROR,
  silent: logLevel.NOTHING,
};

const omit = (object: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

/** Routes kafkajs's own log lines into pino at the matching level. */
export function kafkaJsLogCreator(logger: Logger, hintFor: (message: string) => string | undefined) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message: text, ...extra } = log;
      const message = text.trimEnd(); // kafkajs ends some messages with a newline
      // kafkajs adds its own timestamp and logger name; pino has both already. Connection failures get
      // a hint saying what to check; the stack of a TLS alert says nothing more than its message. The
      // error kafkajs calls `error` goes under `err`, as in every chippy line.
      const hint = level <= logLevel.WARN ? hintFor(message) : undefined;
      const fields = {
        namespace,
        ...omit(extra, ['timestamp', 'logger', 'error', ...(hint ? ['stack'] : [])]),
        ...('error' in extra && { err: extra.error as unknown }),
        ...(hint && { hint }),
      };
      const effective = kafkaJsLevel(level, message, extra);
      if (effective === logLevel.ERROR) child.error(fields, message);
      else if (effective === logLevel.WARN) child.warn(fields, message);
      else if (effective === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/** pino behind the KafkaJS-style logger interface (`kafka.logger()`) the other clients' adapters offer. */
export function kafkaJsStyleLogger(logger: Logger) {
  const self = {
    info: (message: string, extra?: object) => logger.info(extra ?? {}, message),
    warn: (message: string, extra?: object) => logger.warn(extra ?? {}, message),
    error: (message: string, extra?: object) => logger.error(extra ?? {}, message),
    debug: (message: string, extra?: object) => logger.debug(extra ?? {}, message),
    namespace: () => self,
    setLogLevel: () => undefined,
  };
  return self;
}
