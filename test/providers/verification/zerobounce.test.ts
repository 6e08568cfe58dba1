import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailVerificationBatchResult, emailVerificationResult } from '../../../src/capabilities/email-verification.js';
import { GatewayError } from '../../../src/core/errors.js';
import { zeroBounceType } from '../../../src/providers/zerobounce/index.js';
import type { RateLimitState } from '../../../src/core/provider.js';
import { errorText, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, ZB_KEY, ZB_WORDINGS, type ZeroBounceSim } from '../../simulators/zerobounce.js';

let sim: ZeroBounceSim;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const provider = (extra: Record<string, unknown> = {}) =>
  zeroBounceType.create('zb_test', zeroBounceType.options.parse({ apiKey: ZB_KEY, baseUrl: sim.url, ...extra }), testDeps());

const verify = async (email: string, timeoutMs = 5_000) => {
  const parsed = emailVerificationResult.safeParse(await provider().invoke({ email }, invokeCtx({ timeoutMs })));
  expect(parsed.success).toBe(true);
  return parsed.data!;
};
const failure = async (email = 'valid@example.com', timeoutMs = 5_000, p = provider()): Promise<GatewayError> => {
  const e = await p.invoke({ email }, invokeCtx({ timeoutMs })).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GatewayError);
  expect(errorText(e)).not.toContain(ZB_KEY);
  return e as GatewayError;
};

describe('zerobounce: request and result mapping', () => {
  it('sends GET /v2/validate with api_key, email and a blank ip_address', async () => {
    await verify('valid@example.com');
    expect(sim.requests).toEqual([
      { method: 'GET', path: '/v2/validate', query: { api_key: ZB_KEY, email: 'valid@example.com', ip_address: '' } },
    ]);
    await provider({ ipAddress: '203.0.113.9', timeoutSeconds: 10 }).invoke({ email: 'valid@example.com' }, invokeCtx());
    expect(sim.requests[1]!.query).toMatchObject({ ip_address: '203.0.113.9', timeout: '10' });
  });

  it.each([
    ['valid@example.com', 'deliverable', []],
    ['invalid@example.com', 'undeliverable', ['invalid', 'mailbox_not_found']],
    ['spamtrap@example.com', 'undeliverable', ['spamtrap']],
    ['abuse@example.com', 'undeliverable', ['abuse']],
    ['disposable@example.com', 'undeliverable', ['do_not_mail', 'disposable']],
    ['catch-all@example.com', 'risky', ['catch_all']],
    ['unknown@example.com', 'unknown', ['greylisted']],
  ])('%s -> %s', async (email, status, reasons) => {
    expect(await verify(email)).toMatchObject({ email, status, reasons });
  });

  it('maps flags: disposable, role, free email, MX (string "true"), did_you_mean', async () => {
    expect(await verify('disposable@example.com')).toMatchObject({ disposable: true, role: false, mx: ['mx.example.com'] });
    expect(await verify('role@example.com')).toMatchObject({ role: true, status: 'undeliverable' });
    expect(await verify('someone@gmail.com')).toMatchObject({ freeProvider: true, status: 'deliverable' });
    expect(await verify('typo@example.com')).toMatchObject({ suggestion: 'jane@example.com', reasons: ['invalid', 'possible_typo'] });
  });

  it('without apiKey: not_configured, no request made', async () => {
    const p = zeroBounceType.create('zb_test', zeroBounceType.options.parse({ baseUrl: sim.url }), testDeps());
    const e = await failure('valid@example.com', 5_000, p);
    expect(e).toMatchObject({ code: 'GW_NOT_CONFIGURED', kind: 'not_configured' });
    expect(sim.requests).toHaveLength(0);
  });
});

describe('zerobounce: every failure mode', () => {
  it.each(ZB_WORDINGS.bad_key.map((_, i) => i))('bad key, wording %i -> auth', async (wording) => {
    sim.fail('bad_key', { wording });
    expect(await failure()).toMatchObject({ kind: 'auth', code: 'GW_PROVIDER_AUTH' });
  });

  it('the ambiguous "invalid key or out of credits" text is settled by getcredits', async () => {
    sim.fail('bad_key', { wording: 0 });
    expect(await failure()).toMatchObject({ kind: 'auth', details: { providerCode: 'invalid_api_key' } });
    expect(sim.requests.map((r) => r.path)).toEqual(['/v2/validate', '/v2/getcredits']);
    sim.reset();
    sim.fail('no_credits', { wording: 0 });
    expect(await failure()).toMatchObject({ kind: 'quota', code: 'GW_PROVIDER_QUOTA', details: { providerCode: 'out_of_credits' } });
  });

  it.each(ZB_WORDINGS.no_credits.map((_, i) => i))('no credits, wording %i -> quota', async (wording) => {
    sim.fail('no_credits', { wording });
    expect(await failure()).toMatchObject({ kind: 'quota', code: 'GW_PROVIDER_QUOTA' });
  });

  it.each(ZB_WORDINGS.throttled.map((_, i) => i))('throttled / blocked, wording %i -> rate_limited for one minute', async (wording) => {
    sim.fail('throttled', { wording });
    expect(await failure()).toMatchObject({ kind: 'rate_limited', code: 'GW_PROVIDER_RATE_LIMITED', retryAfterMs: 60_000 });
  });

  it('an error array body is read too', async () => {
    sim.fail('error_array');
    expect((await failure()).kind).toBe('auth');
  });

  it('HTTP statuses: 401 auth, 429 with Retry-After, 500 transient', async () => {
    sim.fail('http_401');
    expect(await failure()).toMatchObject({ kind: 'auth', status: 401 });
    sim.fail('http_429');
    expect(await failure()).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7_000 });
    sim.fail('http_500');
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'GW_PROVIDER_TRANSIENT', status: 500 });
  });

  it('an unknown 200 error body is transient; a non-JSON body is a bad response', async () => {
    sim.fail('error_body');
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' });
    sim.fail('not_json');
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' });
  });

  it('a dropped connection is transient; a slow or hanging answer is abandoned at the deadline', async () => {
    sim.fail('drop');
    expect(await failure()).toMatchObject({ kind: 'transient' });
    sim.fail('slow', { delayMs: 2_000 });
    expect(await failure('valid@example.com', 200)).toMatchObject({ kind: 'timeout', code: 'GW_PROVIDER_TIMEOUT' });
    sim.fail('hang');
    expect(await failure('valid@example.com', 200)).toMatchObject({ kind: 'timeout' });
  });

  it('a slow answer inside the deadline succeeds', async () => {
    sim.fail('slow', { delayMs: 50 });
    expect((await verify('valid@example.com')).status).toBe('deliverable');
  });
});

describe('zerobounce: batch validation (an `emails` request)', () => {
  const batchFailure = async (p = provider(), emails = ['valid@example.com']): Promise<GatewayError> => {
    const e = await p.invoke({ emails }, invokeCtx()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(GatewayError);
    expect(errorText(e)).not.toContain(ZB_KEY);
    return e as GatewayError;
  };

  it('is one POST /v2/validatebatch with the key and every address in the JSON body; answers are matched back by address', async () => {
    const emails = ['valid@example.com', 'Invalid@Example.com ', 'error@example.com', 'catch-all@example.com', 'valid@example.com'];
    const parsed = emailVerificationBatchResult.safeParse(await provider({ ipAddress: '203.0.113.9' }).invoke({ emails }, invokeCtx()));
    expect(parsed.success).toBe(true);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/validatebatch',
      query: {},
      body: {
        api_key: ZB_KEY,
        email_batch: emails.map((e) => ({ email_address: e.trim(), ip_address: '203.0.113.9' })),
      },
    });
    // The simulator answers in reverse order: each outcome still sits at its address's index.
    const { results, summary } = parsed.data!;
    expect(results.map((r) => [r.index, r.status, r.result?.email, r.result?.status])).toEqual([
      [0, 'verified', 'valid@example.com', 'deliverable'],
      [1, 'verified', 'Invalid@Example.com', 'undeliverable'],
      [2, 'failed', undefined, undefined],
      [3, 'verified', 'catch-all@example.com', 'risky'],
      [4, 'verified', 'valid@example.com', 'deliverable'],
    ]);
    expect(results[2]!.error).toEqual({ code: 'GW_PROVIDER_REJECTED', message: 'Invalid email address' });
    expect(summary).toEqual({ verified: 4, failed: 1 });
  });

  it('an error for `all` fails the call the way single calls fail (a bad key is auth); 429 and 500 too', async () => {
    sim.fail('bad_key');
    expect(await batchFailure()).toMatchObject({ kind: 'auth', code: 'GW_PROVIDER_AUTH' });
    sim.reset();
    sim.fail('http_429');
    expect(await batchFailure()).toMatchObject({ kind: 'rate_limited', retryAfterMs: 600_000 });
    sim.reset();
    sim.fail('http_500');
    expect(await batchFailure()).toMatchObject({ kind: 'transient' });
  });

  it('at most batchPerMinute calls a minute: the next is refused here (GW_LOCAL_RATE_LIMIT, never counted against the provider) and nothing is sent', async () => {
    const p = provider({ batchPerMinute: 2 });
    await p.invoke({ emails: ['valid@example.com'] }, invokeCtx());
    await p.invoke({ emails: ['valid@example.com'] }, invokeCtx());
    const e = await batchFailure(p);
    expect(e).toMatchObject({ code: 'GW_LOCAL_RATE_LIMIT', kind: 'rejected_local' });
    expect(e.retryAfterMs).toBeGreaterThan(55_000);
    expect(sim.requests).toHaveLength(2);
    // Single addresses are not held by it.
    await p.invoke({ email: 'valid@example.com' }, invokeCtx());
    expect(sim.requests).toHaveLength(3);
  });
});

describe('zerobounce: probe (getcredits)', () => {
  it('reports the credit balance (also as the credits rate-limit state)', async () => {
    const reported: RateLimitState[] = [];
    expect(await provider().probe!(probeCtx({ reportRateLimit: (s) => reported.push(s) }))).toMatchObject({
      metadata: { credits: 2375323 },
    });
    expect(reported).toEqual([{ window: 'credits', remaining: 2375323, limit: null, resetAt: null }]);
    expect(sim.requests).toEqual([{ method: 'GET', path: '/v2/getcredits', query: { api_key: ZB_KEY } }]);
  });

  it('-1 is auth, 0 is quota, throttling is rate_limited; the key never shows', async () => {
    for (const [mode, kind] of [
      ['bad_key', 'auth'],
      ['no_credits', 'quota'],
      ['throttled', 'rate_limited'],
      ['http_500', 'transient'],
    ] as const) {
      sim.fail(mode);
      const e = await provider().probe!(probeCtx()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, mode).toMatchObject({ kind });
      expect(errorText(e)).not.toContain(ZB_KEY);
    }
  });
});
