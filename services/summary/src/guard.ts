import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers on every answer of the page and its API: the page loads only its own files and talks only to
 * its own origin (no inline script or style to inject into), may not be framed, and no type is sniffed.
 */
export const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const hostList = (raw: string) =>
  raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);

/** `HTTP_ALLOWED_HOSTS`: host names, comma-separated, or `*` for any; returned normalised. */
export function parseAllowedHosts(raw: string): string {
  const hosts = hostList(raw);
  const bad = hosts.find((h) => h !== '*' && !/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])$/.test(h));
  if (bad !== undefined) throw new Error(`${JSON.stringify(bad)} is not a host name`);
  return hosts.join(',');
}

/**
 * Whether a request's Host header names this server: a page elsewhere that points its own DNS name at
 * 127.0.0.1 (DNS rebinding) must not read the shop through a browser on this machine. Allowed: localhost,
 * the loopback addresses, the address listened on, and `HTTP_ALLOWED_HOSTS`.
 */
export function hostGuard(listenHost: string, allowed: string) {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', ...hostList(allowed)]);
  if (!['0.0.0.0', '::', ''].includes(listenHost))
    names.add(listenHost.includes(':') ? `[${listenHost.toLowerCase()}]` : listenHost.toLowerCase());
  return (req: IncomingMessage): boolean => {
    if (names.has('*')) return true;
    const host = req.headers.host?.toLowerCase() ?? '';
    // host[:port], with an IPv6 address in brackets.
    const name = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(host)?.[1] ?? '';
    return names.has(name);
  };
}

export function refuseHost(res: ServerResponse): void {
  res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders });
  res.end('this server does not answer to that host name (see HTTP_ALLOWED_HOSTS)\n');
}
