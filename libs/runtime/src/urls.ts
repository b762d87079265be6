/** The URL with its password replaced by `***`; anything that is not a URL with a password comes back unchanged. */
export function redactUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed?.password) return url;
  parsed.password = '***';
  return parsed.toString();
}

// A type alias rather than an interface so it fits the registry client's `Record<string, string>` auth.
export type BasicAuth = { username: string; password: string };

/**
 * Splits `scheme://user:password@host/path` into the URL without credentials and the credentials, because
 * fetch refuses URLs that carry them and HTTP clients want them as basic auth instead.
 */
export function splitUrlAuth(url: string): { url: string; auth?: BasicAuth } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url };
  const auth = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  // URL.toString() adds a trailing slash to a bare host; keep paths joinable by stripping it.
  return { url: parsed.toString().replace(/\/$/, ''), auth };
}

export function basicAuthHeader(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}
