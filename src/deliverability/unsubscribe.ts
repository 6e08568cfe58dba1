/**
 * One-click unsubscribe (RFC 8058) for bulk mail: each copy carries
 * `List-Unsubscribe: <https://<gateway>/v1/unsubscribe/<token>>[, <mailto:…>]` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The token is the address and an expiry,
 * signed with HMAC-SHA256 (`base64url(payload).base64url(mac)`): the link cannot be forged for
 * another address nor used after `ttlDays`, and the gateway keeps no table of links. A mailbox
 * provider's `POST` of `List-Unsubscribe=One-Click` to the link puts the address on the
 * suppression list at once, with no login or confirmation page (Gmail and Yahoo require that).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normaliseAddress } from '../store/mail-data.js';

export interface UnsubscribeOptions {
  secret: string;
  baseUrl: string;
  mailto?: string;
  ttlDays: number;
}

export type TokenCheck = { ok: true; address: string } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const DAY_S = 86_400;

export class UnsubscribeLinks {
  constructor(private readonly o: UnsubscribeOptions) {}

  token(address: string, now: number): string {
    const payload = Buffer.from(
      JSON.stringify({ a: normaliseAddress(address), e: Math.floor(now / 1000) + Math.round(this.o.ttlDays * DAY_S) }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  check(token: string, now: number): TokenCheck {
    const [payload, mac, ...rest] = token.split('.');
    if (!payload || !mac || rest.length) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let body: { a?: unknown; e?: unknown };
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a?: unknown; e?: unknown };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof body.a !== 'string' || typeof body.e !== 'number') return { ok: false, reason: 'malformed' };
    if (body.e * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, address: body.a };
  }

  /** The two headers of one recipient's copy. */
  headers(address: string, now: number): Record<string, string> {
    const token = this.token(address, now);
    const url = `${this.o.baseUrl.replace(/\/+$/, '')}/v1/unsubscribe/${token}`;
    const mailto = this.o.mailto ? `, <mailto:${this.o.mailto}?subject=unsubscribe%20${token}>` : '';
    return { 'List-Unsubscribe': `<${url}>${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.o.secret).update(payload).digest();
  }
}
