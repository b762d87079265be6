import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { errorMessage } from './retry.js';

export interface HttpServerOptions {
  /** 0 picks a free port; the chosen one is in the result. */
  port: number;
  /** The address to listen on; every interface when absent. */
  host?: string;
  registry: Registry;
  logger: Logger;
  /** For /readyz; a throw counts as not ready. */
  ready: () => boolean | Promise<boolean>;
  /** A service's own routes, tried after the built-in ones; return true if the request was handled. */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The probe and metrics server every service runs: /metrics, /healthz, /readyz, plus its own routes. */
export async function startHttpServer({
  port,
  host,
  registry,
  logger,
  ready,
  routes,
}: HttpServerOptions): Promise<HttpServer> {
  const isReady = async () => {
    try {
      return await ready();
    } catch {
      return false;
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } else if (req.method === 'GET' && path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (req.method === 'GET' && path === '/readyz') {
      const ok = await isReady();
      sendJson(res, ok ? 200 : 503, { ready: ok });
    } else if (!(routes && (await routes(req, res)))) {
      sendJson(res, 404, { error: 'not found' });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ url: req.url, err: errorMessage(error) }, 'http request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ port: bound, ...(host !== undefined && { host }) }, 'http server listening');

  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and streaming (e.g. server-sent events) connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
