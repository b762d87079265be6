import { basicAuthHeader, errorMessage, redactUrlsIn, sleep, splitUrlAuth } from '@chippy/runtime';

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id?: string; trace?: string };
  tasks: { id: number; state: string; worker_id?: string; trace?: string }[];
}

/** Kafka Connect answered with an error status; `message` is Connect's own explanation. */
export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The few Kafka Connect REST calls the shop needs. A URL with `user:password@` (Aiven's Connect) sends
 * them as basic auth: fetch refuses a URL that carries credentials, and its error would hold the password.
 */
export function connectApi(baseUrl: string) {
  const { url, auth } = splitUrlAuth(baseUrl);
  const base = url.replace(/\/$/, '');
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(auth && { authorization: basicAuthHeader(auth) }),
  };
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    }).catch((error: unknown) => {
      throw new Error(`${method} ${path}: ${redactUrlsIn(errorMessage(error))}`, { cause: error });
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text;
      throw new ConnectError(`${method} ${path}: ${res.status} ${message}`, res.status);
    }
    return parsed;
  }
  const connector = (name: string) => `/connectors/${encodeURIComponent(name)}`;
  const absent = (error: unknown) => {
    if (error instanceof ConnectError && error.status === 404) return undefined;
    throw error;
  };

  return {
    /** Creates the connector or replaces its config. */
    put: (name: string, config: Record<string, string>) => call('PUT', `${connector(name)}/config`, config),
    status: (name: string) =>
      (call('GET', `${connector(name)}/status`) as Promise<ConnectorStatus>).catch(absent),
    config: (name: string) =>
      (call('GET', `${connector(name)}/config`) as Promise<Record<string, string>>).catch(absent),
    /** True if there was a connector to delete. */
    remove: (name: string) =>
      call('DELETE', connector(name)).then(
        () => true,
        (error: unknown) => absent(error) ?? false,
      ),
    /** Restarts the connector and whichever of its tasks failed. */
    restartFailed: (name: string) =>
      call('POST', `${connector(name)}/restart?includeTasks=true&onlyFailed=true`),
    /**
     * Replays the topic from the start: stops the connector, deletes its committed offsets (Connect 3.6+),
     * and resumes it.
     */
    async resetOffsets(name: string): Promise<void> {
      await call('PUT', `${connector(name)}/stop`);
      await waitFor(name, (s) => s.connector.state === 'STOPPED', 60_000);
      await call('DELETE', `${connector(name)}/offsets`);
      await call('PUT', `${connector(name)}/resume`);
    },
    waitFor,
  };

  /** Polls the status until `done` says so; throws on a FAILED connector or task, or after `timeoutMs`. */
  async function waitFor(
    name: string,
    done: (status: ConnectorStatus) => boolean,
    timeoutMs: number,
  ): Promise<ConnectorStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: ConnectorStatus | undefined;
    for (;;) {
      last = (await call('GET', `${connector(name)}/status`).catch(absent)) as ConnectorStatus | undefined;
      if (last) {
        const failed = [last.connector, ...last.tasks].find((s) => s.state === 'FAILED');
        if (failed) throw new ConnectorFailed(name, last, failed.trace);
        if (done(last)) return last;
      }
      if (Date.now() > deadline) {
        throw new Error(`connector ${name} not ready within ${timeoutMs / 1000} s: ${describeStatus(last)}`);
      }
      await sleep(1000);
    }
  }
}

export type ConnectApi = ReturnType<typeof connectApi>;

export class ConnectorFailed extends Error {
  override name = 'ConnectorFailed';
  constructor(
    connector: string,
    readonly status: ConnectorStatus,
    readonly trace: string | undefined,
  ) {
    super(`connector ${connector} FAILED: ${describeStatus(status)}`);
  }
}

export const isRunning = (s: ConnectorStatus) =>
  s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');

export function describeStatus(s: ConnectorStatus | undefined): string {
  if (!s) return 'no such connector';
  const tasks = s.tasks.map((t) => `task ${t.id} ${t.state}`).join(', ') || 'no tasks yet';
  return `connector ${s.connector.state}, ${tasks}`;
}
