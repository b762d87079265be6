import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@chippy/runtime';
import { refuseHost, securityHeaders } from './guard.js';
import { publicSummary } from './public-view.js';
import type { SseHub } from './sse.js';
import type { Summary } from './summary.js';

/** The page's files, plain HTML, CSS and JavaScript served as they are: there is no front-end build. */
const pageFiles = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // The palette and type both pages share, and their icon.
  '/base.css': { file: 'base.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/floor': { file: 'floor.html', type: 'text/html; charset=utf-8' },
  '/floor.js': { file: 'floor.js', type: 'text/javascript; charset=utf-8' },
  '/floor.css': { file: 'floor.css', type: 'text/css; charset=utf-8' },
} as const;

/** Reads the page once at start-up (a missing file is a broken install, better found at once). */
export function loadPage(dir: URL): Map<string, { body: Buffer; type: string }> {
  return new Map(
    Object.entries(pageFiles).map(([path, { file, type }]) => [
      path,
      { body: readFileSync(new URL(file, dir)), type },
    ]),
  );
}

/**
 * GET /, /app.js, /style.css, /api/summary and /api/events; the shop floor's /floor, /floor.js,
 * /floor.css and /api/floor/events; /base.css and /favicon.svg for both; anything else falls through (404).
 */
export function summaryRoutes({
  page,
  summary,
  hub,
  floor,
  hostAllowed = () => true,
}: {
  page: Map<string, { body: Buffer; type: string }>;
  summary: () => Summary;
  hub: SseHub;
  floor: { hub: SseHub; current(): string };
  /** The Host check against DNS rebinding (guard.ts). */
  hostAllowed?: (req: IncomingMessage) => boolean;
}) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = page.get(path === '/index.html' ? '/' : path);
    const ours = file !== undefined || path.startsWith('/api/');
    if (!ours) return false;
    if (!hostAllowed(req)) {
      refuseHost(res);
      return true;
    }
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    if (file) {
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': file.body.length,
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    }
    if (req.method !== 'GET') return false;
    if (path === '/api/summary') {
      res.setHeader('cache-control', 'no-store');
      sendJson(res, 200, publicSummary(summary()));
      return true;
    }
    if (path === '/api/events') {
      hub.open(res, () => JSON.stringify(publicSummary(summary())));
      return true;
    }
    if (path === '/api/floor/events') {
      floor.hub.open(res, () => floor.current());
      return true;
    }
    return false;
  };
}
