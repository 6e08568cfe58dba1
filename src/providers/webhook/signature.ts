/**
 * Standard Webhooks symmetric signatures: HMAC-SHA256 over `${id}.${timestamp}.${body}`,
 * base64, one `v1,<sig>` entry per active secret, space-separated.
 */
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key bytes of a `whsec_…` secret, or undefined when it is not one. */
export function decodeSecret(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const b64 = secret.slice(PREFIX.length);
  if (!BASE64.test(b64)) return undefined;
  const key = Buffer.from(b64, 'base64');
  return key.length >= 16 && key.length <= 128 ? key : undefined;
}

function signOne(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/** The `webhook-signature` header value: every secret signs, so receivers holding either key verify. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((s) => {
      const key = decodeSecret(s);
      if (!key) throw new TypeError('invalid webhook secret');
      return signOne(key, id, timestamp, body);
    })
    .join(' ');
}
