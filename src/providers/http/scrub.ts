/** Keeps secrets out of anything that is logged or stored. */

const SECRET_QUERY_KEYS = ['key', 'api_key', 'apikey', 'access_token', 'token', 'appsecret_proof', 'hapikey', 'secret'];

/** Replaces secret query parameters of a URL with `[redacted]`. */
export function scrubUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) {
      if (SECRET_QUERY_KEYS.includes(k.toLowerCase())) u.searchParams.set(k, '[redacted]');
    }
    if (u.password) u.password = '[redacted]';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** `https://hooks.slack.com/[redacted]`: scheme and host, never the path or query (a webhook URL can be its own credential). */
export function urlOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/[redacted]`;
  } catch {
    return '[redacted]';
  }
}

/** Removes every given secret value from a text (provider error messages sometimes echo them). */
export function scrubText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
