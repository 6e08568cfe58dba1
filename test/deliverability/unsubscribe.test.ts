import { describe, expect, it } from 'vitest';
import { UnsubscribeLinks } from '../../src/deliverability/unsubscribe.js';

describe('one-click unsubscribe tokens', () => {
  const links = new UnsubscribeLinks({ secret: 's'.repeat(40), baseUrl: 'https://gw.example.com/', ttlDays: 30 });
  const now = Date.UTC(2026, 11, 4);

  it('carry the address until they expire; another secret or a changed byte is refused', () => {
    const token = links.token('Ada@Example.com', now);
    expect(links.check(token, now + 29 * 86_400_000)).toEqual({ ok: true, address: 'ada@example.com' });
    expect(links.check(token, now + 31 * 86_400_000)).toEqual({ ok: false, reason: 'expired' });
    const other = new UnsubscribeLinks({ secret: 't'.repeat(40), baseUrl: 'https://gw.example.com', ttlDays: 30 });
    expect(other.check(token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ a: 'ceo@example.com', e: 9_999_999_999 })).toString('base64url');
    expect(links.check(`${forged}.${mac}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(links.check(`${payload}`, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('headers: an https link and the RFC 8058 post header', () => {
    const h = links.headers('ada@example.com', now);
    expect(h['List-Unsubscribe']).toMatch(/^<https:\/\/gw\.example\.com\/v1\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>$/);
    expect(h['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });
});
