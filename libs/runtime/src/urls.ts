/**
 * The URL with its password replaced by `***`; anything that is not a URL with a password comes back
 * unchanged. A value that looks like `scheme://user:…@host` but does not parse (a space in the password,
 * say) has everything between the user's colon and the last `@` replaced, so a mistyped URL is never
 * echoed with its password either.
 */
export function redactUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed) return url.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^]*@/i, '$1***@');
  if (!parsed.password) return url;
  parsed.password = '***';
  return parsed.toString();
}

/** Every `scheme://user:password@` in a text (an error message, say) with its password replaced by `***`. */
export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/@:\s"']*:)[^/@\s"']*@/gi, '$1***@');
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
