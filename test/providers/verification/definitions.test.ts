import { describe, expect, it } from 'vitest';
import { getProviderType } from '../../../src/providers/index.js';
import { isDnsServer } from '../../../src/providers/local-verifier/options.js';

describe('verification provider types', () => {
  it('are registered with their capability, secrets and required options', () => {
    for (const [type, secrets] of [
      ['local_verifier', []],
      ['zerobounce', ['apiKey']],
      ['neverbounce', ['apiKey']],
    ] as const) {
      const def = getProviderType(type);
      expect(def?.type, type).toBe(type);
      expect(def?.capabilities).toEqual(['email_verification']);
      expect(def?.secrets).toEqual(secrets);
      expect(def?.required ?? []).toEqual(secrets);
      expect(def?.defaults?.ratePerSecond, type).toBeGreaterThan(0);
      expect(Object.keys(def?.hints ?? {}).length, type).toBeGreaterThan(0);
    }
  });

  it('hints name the option or env var to fix and never a value', () => {
    expect(getProviderType('zerobounce')!.hints.auth).toContain('ZEROBOUNCE_API_KEY');
    expect(getProviderType('neverbounce')!.hints.auth).toContain('NEVERBOUNCE_API_KEY');
    expect(getProviderType('local_verifier')!.hints.transient).toContain('dns.servers');
  });

  it('local_verifier options: defaults applied, DNS server syntax checked', () => {
    const opts = getProviderType('local_verifier')!.options.parse({}) as Record<string, unknown>;
    expect(opts).toMatchObject({
      smtpProbe: false,
      disposableStatus: 'risky',
      probeDomain: 'gmail.com',
      dns: { timeoutMs: 2_000, tries: 2 },
      smtp: { port: 25 },
    });
    for (const ok of ['1.1.1.1', '127.0.0.1:5353', '::1', '[::1]:53']) expect(isDnsServer(ok), ok).toBe(true);
    for (const bad of ['dns.google', '1.1.1.1:99999', '[1.1.1.1]:53', '']) expect(isDnsServer(bad), bad).toBe(false);
    expect(getProviderType('local_verifier')!.options.safeParse({ dns: { servers: ['dns.google'] } }).success).toBe(false);
  });

  it('http adapters: base URLs and versions are options', () => {
    expect(getProviderType('zerobounce')!.options.parse({})).toMatchObject({ region: 'default', ipAddress: '' });
    expect(getProviderType('neverbounce')!.options.parse({})).toMatchObject({ apiVersion: 'v4.2', baseUrl: 'https://api.neverbounce.com' });
    expect(getProviderType('neverbounce')!.options.safeParse({ apiVersion: 'v3' }).success).toBe(false);
  });
});
