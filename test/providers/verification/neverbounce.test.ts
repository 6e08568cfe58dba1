import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/capabilities/capability.js';
import { emailVerification, emailVerificationResult } from '../../../src/capabilities/email-verification.js';
import { createProviderChain } from '../../../src/core/build.js';
import { ManualClock } from '../../../src/core/clock.js';
import { GatewayError } from '../../../src/core/errors.js';
import { neverBounceType } from '../../../src/providers/neverbounce/index.js';
import type { RateLimitState } from '../../../src/core/provider.js';
import { captureLogger, errorText, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { NB_KEY, start, type NeverBounceSim } from '../../simulators/neverbounce.js';

let sim: NeverBounceSim;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const provider = (extra: Record<string, unknown> = {}) =>
  neverBounceType.create('nb_test', neverBounceType.options.parse({ apiKey: NB_KEY, baseUrl: sim.url, ...extra }), testDeps());

const verify = async (email: string, extra: Record<string, unknown> = {}) => {
  const parsed = emailVerificationResult.safeParse(await provider(extra).invoke({ email }, invokeCtx()));
  expect(parsed.success).toBe(true);
  return parsed.data!;
};
const failure = async (timeoutMs = 5_000, extra: Record<string, unknown> = {}): Promise<GatewayError> => {
  const logs = captureLogger();
  const e = await provider(extra)
    .invoke({ email: 'valid@example.com' }, invokeCtx({ timeoutMs, logger: logs.logger }))
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(e).toBeInstanceOf(GatewayError);
  expect(errorText(e)).not.toContain(NB_KEY);
  expect(logs.lines.join('\n')).not.toContain(NB_KEY);
  return e as GatewayError;
};

describe('neverbounce: request shape', () => {
  it('v4.2 (default): POST JSON {key, email} to /v4.2/single/check', async () => {
    await verify('valid@example.com', { timeoutSeconds: 8 });
    expect(sim.requests).toEqual([
      {
        method: 'POST',
        path: '/v4.2/single/check',
        query: {},
        body: { key: NB_KEY, email: 'valid@example.com', timeout: '8' },
        contentType: 'application/json',
        keyIn: 'body',
      },
    ]);
  });

  it('v4: GET with key and email in the query string', async () => {
    await verify('valid@example.com', { apiVersion: 'v4' });
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v4/single/check',
      query: { key: NB_KEY, email: 'valid@example.com' },
      keyIn: 'query',
    });
  });
});

describe('neverbounce: result mapping', () => {
  it.each([
    ['valid@example.com', 'deliverable', ['has_dns', 'has_dns_mx', 'smtp_connectable']],
    ['invalid@example.com', 'undeliverable', ['invalid', 'has_dns', 'has_dns_mx']],
    ['disposable@example.com', 'undeliverable', ['disposable', 'has_dns', 'has_dns_mx', 'disposable_email']],
    ['catchall@example.com', 'risky', ['catch_all', 'has_dns', 'has_dns_mx', 'accepts_all']],
    ['unknown@example.com', 'unknown', ['has_dns', 'temporary_dns_error']],
  ])('%s -> %s', async (email, status, reasons) => {
    expect(await verify(email)).toMatchObject({ email, status, reasons });
  });

  it('flags: disposable, role, free provider; suggested correction', async () => {
    expect(await verify('disposable@example.com')).toMatchObject({ disposable: true });
    expect(await verify('info@example.com')).toMatchObject({ status: 'deliverable', role: true, disposable: false });
    expect(await verify('jane@gmail.com')).toMatchObject({ freeProvider: true });
    expect(await verify('typo@example.com')).toMatchObject({ suggestion: 'jane@example.com' });
  });
});

describe('neverbounce: every failure mode', () => {
  it.each([
    ['bad_key', 'auth', 'GW_PROVIDER_AUTH', 'auth_failure'],
    ['bad_referrer', 'auth', 'GW_PROVIDER_AUTH', 'bad_referrer'],
    ['throttled', 'rate_limited', 'GW_PROVIDER_RATE_LIMITED', 'throttle_triggered'],
    ['temp_unavail', 'transient', 'GW_PROVIDER_TRANSIENT', 'temp_unavail'],
    ['no_credits', 'quota', 'GW_PROVIDER_QUOTA', 'general_failure'],
    ['missing_param', 'invalid_request', 'GW_PROVIDER_REJECTED', 'general_failure'],
    ['general_failure', 'transient', 'GW_PROVIDER_TRANSIENT', 'general_failure'],
  ] as const)('200 %s -> %s', async (mode, kind, code, providerCode) => {
    for (const apiVersion of ['v4.2', 'v4']) {
      sim.fail(mode);
      expect(await failure(5_000, { apiVersion }), apiVersion).toMatchObject({ kind, code, details: { providerCode } });
    }
  });

  it('the key echoed in an auth_failure message is scrubbed', async () => {
    sim.fail('bad_key');
    const e = await failure();
    expect(String(e.details?.providerMessage)).toContain('[redacted]');
  });

  it('throttling cools down for the documented default', async () => {
    sim.fail('throttled');
    expect((await failure()).retryAfterMs).toBe(10_000);
    sim.fail('http_429');
    expect(await failure()).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3_000 });
  });

  it('5xx and non-JSON answers are transient; a dropped connection is transient', async () => {
    sim.fail('http_500');
    expect(await failure()).toMatchObject({ kind: 'transient', status: 500 });
    sim.fail('not_json');
    expect(await failure()).toMatchObject({ kind: 'transient', status: 502 });
    sim.fail('drop');
    expect(await failure()).toMatchObject({ kind: 'transient' });
  });

  it('slow and hanging answers are abandoned at the attempt deadline', async () => {
    sim.fail('slow', { delayMs: 2_000 });
    expect(await failure(200)).toMatchObject({ kind: 'timeout', code: 'GW_PROVIDER_TIMEOUT' });
    sim.fail('hang');
    expect(await failure(200)).toMatchObject({ kind: 'timeout' });
  });

  it('without apiKey: not_configured and no request', async () => {
    const p = neverBounceType.create('nb_test', neverBounceType.options.parse({ baseUrl: sim.url }), testDeps());
    await expect(p.invoke({ email: 'valid@example.com' }, invokeCtx())).rejects.toMatchObject({ kind: 'not_configured' });
    expect(sim.requests).toHaveLength(0);
  });
});

describe('neverbounce: probe (account/info)', () => {
  it.each(['v4.2', 'v4'])('%s: reports credits and job counts', async (apiVersion) => {
    const reported: RateLimitState[] = [];
    const ok = await provider({ apiVersion }).probe!(probeCtx({ reportRateLimit: (s) => reported.push(s) }));
    expect(ok).toMatchObject({ metadata: { apiVersion, creditsRemaining: 880, jobCounts: { completed: 3, processing: 1 } } });
    expect(reported).toEqual([{ window: 'credits', remaining: 880, limit: null, resetAt: null }]);
    expect(sim.requests[0]!.path).toBe(`/${apiVersion}/account/info`);
    expect(sim.requests[0]!.keyIn).toBe(apiVersion === 'v4.2' ? 'body' : 'query');
  });

  it('bad key is auth, no credits is quota', async () => {
    for (const [mode, kind] of [
      ['bad_key', 'auth'],
      ['no_credits', 'quota'],
      ['temp_unavail', 'transient'],
    ] as const) {
      sim.fail(mode);
      const e = await provider().probe!(probeCtx()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, mode).toMatchObject({ kind });
      expect(errorText(e)).not.toContain(NB_KEY);
    }
  });
});

describe('neverbounce: a throttle is waited out when nothing else can serve', () => {
  /** A chain of NeverBounce alone on a manual clock, with its first call throttled (10 s). */
  const throttledChain = (deadlineMs: number) => {
    const clock = new ManualClock(Date.now());
    const nb = neverBounceType.create('nb_test', neverBounceType.options.parse({ apiKey: NB_KEY, baseUrl: sim.url }), {
      ...testDeps(),
      clock,
    });
    const chain = createProviderChain({
      capability: 'email_verification',
      sideEffects: false,
      providers: [nb],
      clock,
      policy: { deadlineMs },
      validate: (r) => parseRequest(emailVerification, r),
    });
    sim.fail('throttled', { times: 1 });
    return { clock, chain };
  };

  it('the 10 s throttle wait fits a 30 s deadline: the chain waits for it and calls once more, never sooner', async () => {
    const { clock, chain } = throttledChain(30_000);
    const calledAt: number[] = [];
    let throttled!: () => void;
    const firstAnswer = new Promise<void>((r) => (throttled = r));
    chain.onAttempt((e) => {
      calledAt.push(clock.now());
      if (e.outcome === 'rate_limited') throttled();
    });
    const pending = chain.invoke({ email: 'valid@example.com' });
    await firstAnswer;
    await clock.advance(9_999);
    expect(sim.requests).toHaveLength(1); // not a millisecond early
    await clock.advance(1);
    const r = await pending;
    expect(r.provider).toBe('nb_test');
    expect(r.attempts.map((a) => a.outcome)).toEqual(['rate_limited', 'success']);
    expect(sim.requests).toHaveLength(2);
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('a throttle whose wait does not fit the deadline fails at once with the wait, one call only', async () => {
    const { chain } = throttledChain(8_000);
    const error = await chain.invoke({ email: 'valid@example.com' }).catch((e: unknown) => e as GatewayError);
    expect(error).toMatchObject({ code: 'GW_ALL_PROVIDERS_FAILED', kind: 'rate_limited', retryAfterMs: 10_000 });
    expect(sim.requests).toHaveLength(1);
  });
});
