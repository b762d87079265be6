/** An error for a kafkajs call this bridge does not make. */
export const notBridged = (what: string) => new Error(`KAFKA_CLIENT=platformatic does not bridge ${what}`);

export interface TreeError extends Error {
  errors?: unknown[];
  apiId?: string;
  canRetry?: boolean;
  type?: string;
  retriable?: boolean;
}

/** The errors of a @platformatic/kafka error tree: each with its `errors` (latest attempt last) and `cause`. */
function* errorTree(error: TreeError, depth = 0): Generator<TreeError> {
  yield error;
  if (depth > 8) return;
  for (const inner of [...(error.errors ?? []), error.cause]) {
    if (inner instanceof Error) yield* errorTree(inner, depth + 1);
  }
}

/**
 * A @platformatic/kafka error as kafkajs callers read one: its message ends with the innermost error's
 * ("Connection error" says less than "connect ECONNREFUSED …", and the TLS hints match on the latter),
 * `type` is the Kafka error name (the DLQ looks for MESSAGE_TOO_LARGE) and `retriable` is set.
 */
export function asKafkaJsError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const tree = [...errorTree(error)];
  const innermost = [...errorTree(tree.at(-1)!)].at(-1)!;
  if (innermost !== error && !error.message.includes(innermost.message)) {
    error.message = `${error.message.replace(/\.$/, '')}: ${innermost.message}`;
  }
  const named = tree.find((e) => typeof e.apiId === 'string');
  const target = error as TreeError;
  if (named && target.type === undefined) target.type = named.apiId;
  target.retriable ??= !tree.some((e) => e.canRetry === false);
  return error;
}

/** `promise`, rejecting with its error as kafkajs callers read one (`asKafkaJsError`). */
export const withKafkaJsErrors = <T>(promise: Promise<T>): Promise<T> =>
  promise.catch((error: unknown) => {
    throw asKafkaJsError(error);
  });
