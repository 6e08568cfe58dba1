import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { socialPostingFacebook } from '../../../src/capabilities/social-posting.js';
import { GatewayError } from '../../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { createFacebookProvider } from '../../../src/providers/facebook/adapter.js';
import { mapFacebookError } from '../../../src/providers/facebook/errors.js';
import { facebookOptions } from '../../../src/providers/facebook/options.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, errorText, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type FacebookSim } from '../../simulators/facebook.js';

const APP_SECRET = 'fb-app-secret-0123456789';
let n = 0;
const request = () => ({ text: `Open day ${++n}`, link: 'https://example.com/open-day' });

adapterContract('facebook', async () => {
  const sim = await start({ appSecret: APP_SECRET });
  const { logger, lines } = captureLogger();
  const options = facebookOptions.parse({ pageId: sim.pageId, pageAccessToken: sim.token, appSecret: APP_SECRET, baseUrl: sim.url });
  const rl = (code: number, status: number) => ({
    name: `#${code} with HTTP ${status}`,
    arm: () => sim.fail('rate_limit', { code, status }),
    kind: 'rate_limited' as const,
    code: 'GW_PROVIDER_RATE_LIMITED' as const,
    retryAfterMs: [15 * 60_000, 15 * 60_000] as const,
  });
  return {
    provider: createFacebookProvider('fb_page', options, testDeps(logger)),
    capability: socialPostingFacebook,
    request,
    secrets: [sim.token, APP_SECRET],
    rateLimitOnSuccess: { window: 'usage%' },
    retries: { noneBecause: 'the Graph API takes no idempotency id' },
    batch: { noneBecause: 'one post per request' },
    failures: [
      { name: '#190 invalid token', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '#190/463 expired', arm: () => sim.fail('expired'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '#200 permission', arm: () => sim.fail('permission'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      ...[4, 17, 32, 613, 80001].flatMap((code) => [rl(code, 400), rl(code, 403)]),
      {
        name: '#341 application limit',
        arm: () => sim.fail('app_limit'),
        kind: 'quota',
        code: 'GW_PROVIDER_QUOTA',
        retryAfterMs: 'present',
      },
      { name: '#506 duplicate', arm: () => sim.fail('duplicate'), kind: 'invalid_request', code: 'GW_PROVIDER_DUPLICATE' },
      { name: '#368 policy block', arm: () => sim.fail('policy_block'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '#100 invalid parameter', arm: () => sim.fail('invalid'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '#1 unknown (500)', arm: () => sim.fail('unknown_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '#2 service (503)', arm: () => sim.fail('service_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'HTTP 200 with an error body', arm: () => sim.fail('error_in_200'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'connection dropped after send', arm: () => sim.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('facebook adapter', () => {
  let sim: FacebookSim;
  const make = (over: Record<string, unknown> = {}): Provider =>
    createFacebookProvider(
      'fb',
      facebookOptions.parse({ pageId: sim.pageId, pageAccessToken: sim.token, appSecret: APP_SECRET, baseUrl: sim.url, ...over }),
      testDeps(),
    );
  const call = (p: Provider, req: unknown, logger = captureLogger().logger) =>
    p.invoke(req, invokeCtx({ provider: 'fb', capability: 'social_posting_facebook', logger })).then(
      (r) => r,
      (e: unknown) => e as GatewayError,
    );

  beforeAll(async () => {
    sim = await start({ appSecret: APP_SECRET });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('a page id Facebook does not know (#100 subcode 33, #803) is misconfigured, naming pageId', () => {
    const answer = (error: Record<string, unknown>) => ({
      status: 400,
      headers: new Headers(),
      text: JSON.stringify({ error }),
      json: { error },
    });
    const unknownPage = {
      message:
        "Unsupported post request. Object with ID '1234' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'AbC',
    };
    for (const error of [
      unknownPage,
      { message: '(#803) Some of the aliases you requested do not exist: mypage', type: 'OAuthException', code: 803 },
    ]) {
      expect(
        mapFacebookError(answer(error), { provider: 'fb', capability: 'social_posting_facebook', secrets: [], rateLimitDefaultMs: 1 }),
      ).toMatchObject({
        code: 'GW_PROVIDER_MISCONFIGURED',
        kind: 'misconfigured',
        details: { option: 'pageId' },
      });
    }
    // #100 without subcode 33 is the caller's parameter problem.
    expect(
      mapFacebookError(answer({ message: '(#100) Missing message or attachment', code: 100 }), {
        provider: 'fb',
        capability: 'social_posting_facebook',
        secrets: [],
        rateLimitDefaultMs: 1,
      }).kind,
    ).toBe('invalid_request');
  });

  it('posts form-encoded to /{version}/{page}/feed with the token in the body, never in the URL', async () => {
    const result = await call(make(), { text: 'Hello page', link: 'https://example.com/p' });
    expect(result).toMatchObject({ platform: 'facebook', postId: expect.stringMatching(new RegExp(`^${sim.pageId}_\\d+$`)) });
    const req = sim.requests[0]!;
    expect(req.path).toBe(`/v23.0/${sim.pageId}/feed`);
    expect(req.query.toString()).toBe('');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.rawBody);
    expect(form.get('message')).toBe('Hello page');
    expect(form.get('link')).toBe('https://example.com/p');
    expect(form.get('access_token')).toBe(sim.token);
    expect(form.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a wrong app secret gives a #100 rejection that does not leak the token or the secret', async () => {
    const error = (await call(make({ appSecret: 'another-secret-xyz' }), { text: 'x' })) as GatewayError;
    expect([error.code, error.details?.providerCode]).toEqual(['GW_PROVIDER_REJECTED', 100]);
    expect(errorText(error)).not.toContain(sim.token);
    expect(errorText(error)).not.toContain('another-secret-xyz');
  });

  it('identical message → #506 → GW_PROVIDER_DUPLICATE', async () => {
    const p = make();
    await call(p, { text: 'same' });
    const error = (await call(p, { text: 'same' })) as GatewayError;
    expect([error.code, error.kind, error.details?.providerCode]).toEqual(['GW_PROVIDER_DUPLICATE', 'invalid_request', 506]);
  });

  it('reports the usage headers as percent left on every answer, with the regain time when Graph gives one', async () => {
    const reported: RateLimitState[] = [];
    const ctx = () => invokeCtx({ provider: 'fb', capability: 'social_posting_facebook', reportRateLimit: (s) => reported.push(s) });
    await make().invoke({ text: 'usage a' }, ctx());
    expect(reported).toEqual([{ window: 'usage%', remaining: 95, limit: 100, resetAt: null }]);
    sim.fail('rate_limit', { code: 4, regainMinutes: 7, times: 1 });
    const before = Date.now();
    await make()
      .invoke({ text: 'usage b' }, ctx())
      .catch(() => undefined);
    expect(reported[1]).toMatchObject({ window: 'usage%', remaining: 0, limit: 100 });
    expect(reported[1]!.resetAt! - before).toBeGreaterThanOrEqual(7 * 60_000);
  });

  it('rate limits take retryAfterMs from estimated_time_to_regain_access (minutes)', async () => {
    for (const code of [4, 17, 32, 613, 80001]) {
      for (const status of [400, 403]) {
        sim.fail('rate_limit', { code, status, regainMinutes: 7, times: 1 });
        const error = (await call(make(), { text: `rl ${code} ${status}` })) as GatewayError;
        expect({ code, status, kind: error.kind, got: error.status, retryAfterMs: error.retryAfterMs }).toEqual({
          code,
          status,
          kind: 'rate_limited',
          got: status,
          retryAfterMs: 7 * 60_000,
        });
      }
    }
  });

  it('warns in the log when usage headers reach 95%', async () => {
    sim.fail('high_usage', { times: 1 });
    const { logger, lines } = captureLogger();
    expect(await call(make(), { text: 'busy' }, logger)).toMatchObject({ platform: 'facebook' });
    expect(lines.some((l) => l.includes('"usagePercent":97'))).toBe(true);
    expect(lines.join('\n')).not.toContain(sim.token);
  });

  it('probe reads /me with the page token and reports a page mismatch; token scrubbed from errors', async () => {
    const ok = await make({ pageId: '111' }).probe!(probeCtx());
    expect(ok?.metadata).toMatchObject({ pageId: sim.pageId, name: 'Sim Page' });
    expect(ok?.warnings?.some((w) => w.includes('111'))).toBe(true);
    expect(sim.requests[0]!.method).toBe('GET');
    expect(sim.requests[0]!.query.get('fields')).toBe('id,name');
    sim.fail('drop');
    const error = await make().probe!(probeCtx()).catch((e: unknown) => e);
    expect((error as GatewayError).kind).toBe('transient');
    expect(errorText(error)).not.toContain(sim.token);
  });
});
