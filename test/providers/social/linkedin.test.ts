import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { socialPostingLinkedin } from '../../../src/capabilities/social-posting.js';
import { GatewayError } from '../../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { createLinkedinProvider } from '../../../src/providers/linkedin/adapter.js';
import { linkedinType } from '../../../src/providers/linkedin/index.js';
import { escapeLittleText } from '../../../src/providers/linkedin/little-text.js';
import { linkedinOptions } from '../../../src/providers/linkedin/options.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, errorText, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type LinkedinSim } from '../../simulators/linkedin.js';

let n = 0;
const request = () => ({ text: `Launch (beta) #${++n}: 50% off_today @team`, link: 'https://example.com/launch' });
const call = (p: Provider, req: unknown, key?: string) =>
  p.invoke(req, invokeCtx({ provider: p.name, capability: 'social_posting_linkedin', ...(key ? { idempotencyKey: key } : {}) })).then(
    (r) => r,
    (e: unknown) => e as GatewayError,
  );

adapterContract('linkedin', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  const options = linkedinOptions.parse({ accessToken: sim.token, baseUrl: sim.url, author: `urn:li:person:${sim.memberSub}` });
  const provider = createLinkedinProvider('linkedin_main', options, testDeps(logger));
  return {
    provider,
    capability: socialPostingLinkedin,
    request,
    secrets: [sim.token],
    rateLimitOnSuccess: { noneBecause: 'LinkedIn documents no rate-limit headers (daily limits, a 429 only)' },
    retries: { noneBecause: 'LinkedIn takes no idempotency id (posts are kept by key in provider state)' },
    batch: { noneBecause: 'one post per request' },
    failures: [
      { name: '401 invalid token', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '401 revoked token', arm: () => sim.fail('revoked'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 permission', arm: () => sim.fail('forbidden'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '422 validation', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '422 DUPLICATE_POST', arm: () => sim.fail('duplicate'), kind: 'invalid_request', code: 'GW_PROVIDER_DUPLICATE' },
      {
        name: '426 NONEXISTENT_VERSION',
        arm: () => sim.fail('retired_version'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_VERSION_RETIRED',
      },
      {
        name: '429 daily limit',
        arm: () => sim.fail('rate_limit'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [1, 86_400_000],
      },
      { name: '500', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '503', arm: () => sim.fail('unavailable'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '201 without x-restli-id', arm: () => sim.fail('no_id'), kind: 'unknown_outcome', code: 'GW_PROVIDER_BAD_RESPONSE' },
      { name: 'connection dropped after send', arm: () => sim.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth', { path: '/v2/userinfo' }), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('linkedin adapter', () => {
  let sim: LinkedinSim;
  const make = (over: Record<string, unknown> = {}, deps = testDeps()) =>
    createLinkedinProvider('li', linkedinOptions.parse({ accessToken: sim.token, baseUrl: sim.url, ...over }), deps);

  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('sends the documented headers and body, and returns the URN from x-restli-id', async () => {
    const result = await call(make({ author: 'urn:li:organization:2414183' }), {
      text: 'Hello (world) #1 @you',
      link: 'https://example.com/a',
    });
    expect(result).toMatchObject({ platform: 'linkedin', postId: expect.stringMatching(/^urn:li:share:\d+$/) });
    const req = sim.requests.find((r) => r.path === '/rest/posts')!;
    expect(req.headers['linkedin-version']).toBe('202609');
    expect(req.headers['x-restli-protocol-version']).toBe('2.0.0');
    expect(req.headers['x-restli-method']).toBe('create');
    expect(req.body).toEqual({
      author: 'urn:li:organization:2414183',
      commentary: 'Hello \\(world\\) \\#1 \\@you',
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
      content: { article: { source: 'https://example.com/a', title: 'example.com' } },
    });
  });

  it('escapes every little-text reserved character', () => {
    expect(escapeLittleText('a|b{c}d@e[f]g(h)i<j>k#l\\m*n_o~p')).toBe('a\\|b\\{c\\}d\\@e\\[f\\]g\\(h\\)i\\<j\\>k\\#l\\\\m\\*n\\_o\\~p');
  });

  it('finds the author from /v2/userinfo when none is configured, once', async () => {
    const p = make();
    await call(p, { text: 'first' });
    await call(p, { text: 'second' });
    expect(sim.requests.filter((r) => r.path === '/v2/userinfo')).toHaveLength(1);
    expect([...sim.posts.values()].map((x) => x.author)).toEqual([`urn:li:person:${sim.memberSub}`, `urn:li:person:${sim.memberSub}`]);
  });

  it('identical commentary → GW_PROVIDER_DUPLICATE (no failover) with the duplicate URN', async () => {
    const p = make();
    const first = await call(p, { text: 'same text' });
    const error = (await call(p, { text: 'same text' })) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe('GW_PROVIDER_DUPLICATE');
    expect(error.kind).toBe('invalid_request');
    expect(error.details?.duplicateOf).toBe((first as { postId: string }).postId);
  });

  it('a duplicate after an unknown outcome of the same idempotency key resolves to the published post', async () => {
    const deps = testDeps();
    const p = make({}, deps);
    sim.fail('no_id', { times: 1, path: '/rest/posts' });
    const lost = (await call(p, { text: 'lost answer' }, 'key-1')) as GatewayError;
    expect(lost.kind).toBe('unknown_outcome');
    expect(sim.posts.size).toBe(0); // the injected 201 published nothing: publish it for real as the "lost" post
    const published = await call(make(), { text: 'lost answer' });
    const again = await call(p, { text: 'lost answer' }, 'key-1');
    expect(again).toEqual({
      platform: 'linkedin',
      duplicate: true,
      postId: (published as { postId: string }).postId,
      url: expect.any(String),
    });
    // another key with the same text is not ours
    expect(((await call(p, { text: 'lost answer' }, 'key-2')) as GatewayError).code).toBe('GW_PROVIDER_DUPLICATE');
  });

  it('a retired LinkedIn-Version → GW_PROVIDER_VERSION_RETIRED naming the version option', async () => {
    const error = (await call(make({ version: '202401' }), { text: 'hi' })) as GatewayError;
    expect(error.code).toBe('GW_PROVIDER_VERSION_RETIRED');
    expect(error.status).toBe(426);
    expect(error.details).toMatchObject({ providerCode: 'NONEXISTENT_VERSION', version: '202401' });
    expect(error.message).toContain('version option');
    expect(linkedinType.hints.auth).toContain('version');
  });

  it('the probe sends the configured LinkedIn-Version: a retired version fails it as misconfigured, naming the option', async () => {
    const p = make({ version: '202401' });
    const error = (await p.probe!(probeCtx({ provider: p.name })).then(
      () => undefined,
      (e: unknown) => e as GatewayError,
    ))!;
    expect(error).toMatchObject({
      code: 'GW_PROVIDER_VERSION_RETIRED',
      kind: 'misconfigured',
      status: 426,
      details: { option: 'version' },
    });
    await expect(make().probe!(probeCtx({ provider: 'linkedin_main' }))).resolves.toMatchObject({
      metadata: { version: expect.any(String) },
    });
    expect(sim.posts.size).toBe(0);
  });

  it('429 → retryAfterMs until midnight UTC, reported as the daily window spent until then', async () => {
    sim.fail('rate_limit');
    const reported: RateLimitState[] = [];
    const p = make();
    const error = (await p
      .invoke(
        { text: 'x' },
        invokeCtx({ provider: p.name, capability: 'social_posting_linkedin', reportRateLimit: (s) => reported.push(s) }),
      )
      .catch((e: unknown) => e)) as GatewayError;
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(error.kind).toBe('rate_limited');
    expect(Math.abs(error.retryAfterMs! - (midnight - Date.now()))).toBeLessThan(5_000);
    expect(reported).toEqual([{ window: 'day', remaining: 0, limit: null, resetAt: expect.any(Number) }]);
    expect(Math.abs(reported[0]!.resetAt! - midnight)).toBeLessThan(5_000);
  });

  it('refuses media and non-URN authors without calling LinkedIn', async () => {
    const p = make();
    const media = (await call(p, { text: 'x', media: [{ url: 'https://example.com/a.png', kind: 'image' }] })) as GatewayError;
    const author = (await call(p, { text: 'x', author: 'someone' })) as GatewayError;
    expect([media.code, author.code]).toEqual(['GW_INVALID_REQUEST', 'GW_INVALID_REQUEST']);
    expect(sim.requests).toHaveLength(0);
  });

  it('not configured without a token', async () => {
    const p = createLinkedinProvider('li', linkedinOptions.parse({ baseUrl: sim.url }), testDeps());
    expect(((await call(p, { text: 'x' })) as GatewayError).kind).toBe('not_configured');
  });

  it('probe reports the member, warns on an old version and on missing OpenID scopes, never posts', async () => {
    const ok = await make({ version: '202512' }).probe!(probeCtx());
    expect(ok?.metadata).toMatchObject({ member: `urn:li:person:${sim.memberSub}`, version: '202512' });
    expect(ok?.warnings?.some((w) => w.includes('202512'))).toBe(true);
    sim.fail('userinfo_forbidden', { path: '/v2/userinfo' });
    const scoped = await make().probe!(probeCtx());
    expect(scoped?.warnings?.some((w) => w.includes('openid'))).toBe(true);
    expect(sim.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('keeps the token out of errors', async () => {
    sim.fail('forbidden');
    const error = await call(make(), { text: 'x' });
    expect(errorText(error)).not.toContain(sim.token);
  });
});
