import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { socialPostingX } from '../../../src/capabilities/social-posting.js';
import { GatewayError } from '../../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { createXProvider } from '../../../src/providers/x/adapter.js';
import { xOptions } from '../../../src/providers/x/options.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type XSim } from '../../simulators/x.js';

let n = 0;
const request = () => ({ text: `Shipping update ${++n}`, link: 'https://example.com/changelog' });

adapterContract('x', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  const provider = createXProvider('x_main', xOptions.parse({ accessToken: sim.token, baseUrl: sim.url }), testDeps(logger));
  const day: [number, number] = [23 * 3600_000, 24 * 3600_000 + 5_000];
  return {
    provider,
    capability: socialPostingX,
    request,
    secrets: [sim.token],
    rateLimitOnSuccess: { window: '15min' },
    retries: { noneBecause: 'X takes no idempotency id (a duplicate text is refused 403)' },
    batch: { noneBecause: 'one post per request' },
    failures: [
      { name: '401', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 not permitted', arm: () => sim.fail('forbidden'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 duplicate content', arm: () => sim.fail('duplicate'), kind: 'invalid_request', code: 'GW_PROVIDER_DUPLICATE' },
      { name: '400 invalid request', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      {
        name: '429 15-minute window',
        arm: () => sim.fail('rate_limit'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [14 * 60_000, 15 * 60_000 + 5_000],
      },
      { name: '429 user 24-hour cap', arm: () => sim.fail('cap_24h_user'), kind: 'quota', code: 'GW_PROVIDER_QUOTA', retryAfterMs: day },
      { name: '429 app 24-hour cap', arm: () => sim.fail('cap_24h_app'), kind: 'quota', code: 'GW_PROVIDER_QUOTA', retryAfterMs: day },
      {
        name: '429 with 15-minute room left',
        arm: () => sim.fail('cap_hidden'),
        kind: 'quota',
        code: 'GW_PROVIDER_QUOTA',
        retryAfterMs: day,
      },
      { name: '503', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '200 with only errors[]', arm: () => sim.fail('error_in_200'), kind: 'invalid_request', code: 'GW_PROVIDER_DUPLICATE' },
      { name: 'connection dropped after send', arm: () => sim.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('x adapter', () => {
  let sim: XSim;
  const make = (): Provider => createXProvider('x', xOptions.parse({ accessToken: sim.token, baseUrl: sim.url }), testDeps());
  const call = (p: Provider, req: unknown, logger = captureLogger().logger) =>
    p.invoke(req, invokeCtx({ provider: 'x', capability: 'social_posting_x', logger })).then(
      (r) => r,
      (e: unknown) => e as GatewayError,
    );

  beforeAll(async () => {
    sim = await start({ windowLimit: 3, userDayLimit: 5 });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('posts {text} as JSON with the link appended, and returns data.id', async () => {
    const result = await call(make(), { text: 'hello', link: 'https://example.com/x' });
    expect(result).toMatchObject({ platform: 'x', postId: expect.stringMatching(/^\d+$/) });
    expect(sim.requests[0]!.body).toEqual({ text: 'hello\nhttps://example.com/x' });
    expect(sim.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('reports the tightest window on every answer: the 15-minute one, then the spent one on a 429', async () => {
    const reported: RateLimitState[] = [];
    const ctx = () => invokeCtx({ provider: 'x', capability: 'social_posting_x', reportRateLimit: (s) => reported.push(s) });
    const p = make();
    await p.invoke({ text: 'one' }, ctx());
    expect(reported).toEqual([{ window: '15min', remaining: 2, limit: 3, resetAt: sim.windowReset * 1000 }]);
    for (const t of ['two', 'three']) await p.invoke({ text: t }, ctx());
    await p.invoke({ text: 'four' }, ctx()).catch(() => undefined);
    expect(reported.at(-1)).toEqual({ window: '15min', remaining: 0, limit: 3, resetAt: sim.windowReset * 1000 });
  });

  it('identical text → GW_PROVIDER_DUPLICATE', async () => {
    const p = make();
    await call(p, { text: 'twice' });
    const error = (await call(p, { text: 'twice' })) as GatewayError;
    expect([error.code, error.kind, error.status]).toEqual(['GW_PROVIDER_DUPLICATE', 'invalid_request', 403]);
  });

  it('a spent 15-minute window answers 429 and maps to its reset', async () => {
    const p = make();
    for (const t of ['a', 'b', 'c']) expect(await call(p, { text: t })).toMatchObject({ platform: 'x' });
    const error = (await call(p, { text: 'd' })) as GatewayError;
    expect(error.code).toBe('GW_PROVIDER_RATE_LIMITED');
    expect(error.details?.window).toBe('15min');
    expect(Math.abs(error.retryAfterMs! - (sim.windowReset * 1000 - Date.now()))).toBeLessThan(2_000);
  });

  it('24-hour caps map to quota with the 24-hour reset, naming the bucket', async () => {
    sim.fail('cap_24h_user', { times: 1 });
    sim.fail('cap_24h_app', { times: 1 });
    const user = (await call(make(), { text: 'u' })) as GatewayError;
    const app = (await call(make(), { text: 'v' })) as GatewayError;
    expect([user.code, user.details?.window, app.details?.window]).toEqual(['GW_PROVIDER_QUOTA', '24h-user', '24h-app']);
    expect(Math.abs(user.retryAfterMs! - (sim.dayReset * 1000 - Date.now()))).toBeLessThan(2_000);
  });

  it('a created post with partial errors[] is a success, and the errors are logged', async () => {
    sim.fail('partial_errors', { times: 1 });
    const { logger, lines } = captureLogger();
    const result = await call(make(), { text: 'partial' }, logger);
    expect(result).toMatchObject({ platform: 'x', postId: expect.any(String) });
    expect(lines.some((l) => l.includes('partial errors'))).toBe(true);
  });

  it('refuses text that with its link exceeds 280 weighted characters, without calling X', async () => {
    const error = (await call(make(), { text: 'a'.repeat(270), link: 'https://example.com/' + 'p'.repeat(100) })) as GatewayError;
    expect(error.code).toBe('GW_INVALID_REQUEST');
    expect(sim.requests).toHaveLength(0);
  });

  it('probe reads /2/users/me and never posts', async () => {
    const ok = await make().probe!(probeCtx());
    expect(ok?.metadata).toMatchObject({ userId: '2244994945', username: 'TwitterDev' });
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /2/users/me']);
  });
});
