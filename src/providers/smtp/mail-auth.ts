/**
 * Mail credentials shared by the SMTP and IMAP adapters: the `auth` option schema and the
 * list of secret strings to scrub from any text a server or library hands back (the raw
 * values and the base64 forms that AUTH PLAIN / LOGIN / XOAUTH2 put on the wire).
 */
import { z } from 'zod';

const passwordAuth = z.object({ user: z.string().min(1), pass: z.string().min(1) }).strict();
const tokenAuth = z.object({ user: z.string().min(1), accessToken: z.string().min(1) }).strict();

/** `{ user, pass }` or `{ user, accessToken }` (OAuth2 bearer token, XOAUTH2). */
export const mailAuth = z.union([passwordAuth, tokenAuth]);

export type MailAuth = z.infer<typeof mailAuth>;

export function isTokenAuth(auth: MailAuth): auth is z.infer<typeof tokenAuth> {
  return 'accessToken' in auth;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Every form in which the secret of `auth` may show up in a protocol transcript. */
export function authSecrets(auth: MailAuth | undefined): string[] {
  if (!auth) return [];
  if (isTokenAuth(auth)) {
    const t = auth.accessToken;
    return [t, b64(t), b64(`user=${auth.user}\x01auth=Bearer ${t}\x01\x01`)];
  }
  const p = auth.pass;
  return [p, b64(p), b64(`\0${auth.user}\0${p}`), b64(`${auth.user}\0${auth.user}\0${p}`)];
}

/** Replaces every secret in `text` and cuts it to `max` characters. */
export function scrubSecrets(text: string, secrets: readonly string[], max = 500): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('[redacted]');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
