import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  leadEnrichment,
  leadEnrichmentResult,
  type LeadEnrichmentBatchResult,
  type LeadEnrichmentPerson,
  type LeadEnrichmentResult,
} from '../../../src/capabilities/lead-enrichment.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { GatewayError } from '../../../src/core/errors.js';
import type { InvokeContext, Provider, RateLimitState } from '../../../src/core/provider.js';
import { apolloProviderType, type ApolloProvider } from '../../../src/providers/apollo/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type ApolloSim } from '../../simulators/apollo.js';

/** The adapter, typed by the request form: one person answers one result, `people` a batch result. */
interface Apollo {
  invoke(req: LeadEnrichmentPerson, ctx: InvokeContext): Promise<LeadEnrichmentResult>;
  invoke(req: { people: LeadEnrichmentPerson[] }, ctx: InvokeContext): Promise<LeadEnrichmentBatchResult>;
  probe: ApolloProvider['probe'];
  name: string;
}

function makeProvider(sim: ApolloSim, extra: Record<string, unknown> = {}, deps = testDeps()): Apollo {
  const options = apolloProviderType.options.parse({ apiKey: sim.apiKey, baseUrl: `${sim.url}/api/v1`, ...extra });
  return apolloProviderType.create('apollo_test', options, deps) as ApolloProvider as Apollo;
}

const ada = { email: 'ada@analytical.example' };
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GatewayError,
  );

adapterContract('apollo', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  return {
    provider: makeProvider(sim, {}, testDeps(logger)) as unknown as Provider,
    capability: leadEnrichment,
    request: () => ({ ...ada }),
    secrets: [sim.apiKey],
    rateLimitOnSuccess: { window: 'minute' },
    retries: { noneBecause: 'Apollo is a read API; it sends no webhook' },
    batch: {
      request: (n) => ({ people: Array.from({ length: n }, () => ({ ...ada })) }),
      maximum: 10,
      callSizes: () =>
        sim.requests.filter((r) => r.path.endsWith('/people/bulk_match')).map((r) => (r.body as { details: unknown[] }).details.length),
    },
    failures: [
      { name: '401 plain "Invalid access credentials."', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 API_INACCESSIBLE', arm: () => sim.fail('inaccessible'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '402 insufficient credits', arm: () => sim.fail('credits', { status: 402 }), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '403 insufficient credits', arm: () => sim.fail('credits', { status: 403 }), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '422 insufficient credits', arm: () => sim.fail('credits', { status: 422 }), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '429 insufficient credits', arm: () => sim.fail('credits', { status: 429 }), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      {
        name: '429 minute window spent',
        arm: () => sim.fail('rate_limit', { window: 'minute' }),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [1, 60_000],
      },
      {
        name: '429 without window headers',
        arm: () => sim.fail('rate_limit', { window: 'none' }),
        kind: 'rate_limited',
        retryAfterMs: [60_000, 60_000],
      },
      { name: '422 invalid parameters', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '404 unknown endpoint', arm: () => sim.fail('not_found'), kind: 'not_configured', code: 'GW_NOT_CONFIGURED' },
      { name: '500', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '200 with error_code', arm: () => sim.fail('error_200'), kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' },
      { name: 'connection dropped', arm: () => sim.fail('drop'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('apollo adapter', () => {
  let sim: ApolloSim;
  let provider: Apollo;
  beforeAll(async () => {
    sim = await start();
    provider = makeProvider(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('sends X-Api-Key (never Bearer) and a JSON body; normalises person, organisation, status and sources', async () => {
    const result = await provider.invoke(ada, invokeCtx());
    const req = sim.requests[0]!;
    expect(`${req.method} ${req.path}`).toBe('POST /api/v1/people/match');
    expect(req.headers['x-api-key']).toBe(sim.apiKey);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ email: 'ada@analytical.example' });
    // The reveal flags are explicit, in the query string, as the reference sends them.
    expect(Object.fromEntries(req.query)).toEqual({ reveal_personal_emails: 'false', reveal_phone_number: 'false' });
    expect(result).toEqual({
      matched: true,
      person: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        fullName: 'Ada Lovelace',
        title: 'Head of Engineering',
        email: 'ada@analytical.example',
        linkedinUrl: 'http://www.linkedin.com/in/ada-lovelace',
        location: 'London, England, United Kingdom',
      },
      organization: {
        name: 'Analytical Engines',
        domain: 'analytical.example',
        website: 'http://www.analytical.example',
        employees: '120',
      },
      emailStatus: 'verified',
      sources: expect.objectContaining({ 'person.title': 'apollo_test', 'organization.domain': 'apollo_test', emailStatus: 'apollo_test' }),
    });
    expect(Object.keys(result.sources)).toHaveLength(12);
  });

  it('no match is a result, under both readings of the answer', async () => {
    const unknown = { firstName: 'No', lastName: 'Body', domain: 'nowhere.example' };
    expect(await provider.invoke(unknown, invokeCtx())).toEqual({
      matched: false,
      person: null,
      organization: null,
      emailStatus: 'unknown',
      sources: {},
    });
    const absent = await start({ noMatch: 'absent' });
    try {
      expect((await makeProvider(absent).invoke(unknown, invokeCtx())).matched).toBe(false);
    } finally {
      await absent.close();
    }
  });

  it('can send the identity as query parameters (the simulator merges both)', async () => {
    const result = await makeProvider(sim, { paramsIn: 'query' }).invoke(
      { fullName: 'Ada Lovelace', domain: 'analytical.example' },
      invokeCtx(),
    );
    expect(result.matched).toBe(true);
    expect(sim.requests[0]!.query.get('name')).toBe('Ada Lovelace');
    expect(sim.requests[0]!.rawBody).toBe('');
  });

  it('reports the tightest rate-limit window from every answer, success included', async () => {
    const reported: RateLimitState[] = [];
    await provider.invoke(ada, invokeCtx({ reportRateLimit: (s) => reported.push(s) }));
    // The simulator's windows after one call: 49 of 50 a minute, 199 of 200 an hour, 599 of 600 a day.
    expect(reported).toEqual([{ window: 'minute', remaining: 49, limit: 50, resetAt: expect.any(Number) }]);
    expect(reported[0]!.resetAt! - Date.now()).toBeLessThanOrEqual(60_000);
    sim.fail('rate_limit', { window: 'day' });
    await provider.invoke(ada, invokeCtx({ reportRateLimit: (s) => reported.push(s) })).catch(() => undefined);
    expect(reported[1]).toMatchObject({ window: 'day', remaining: 0, limit: 600 });
  });

  it('a people request goes through bulk_match: 10 people a call, in request order; 23 people in calls of 10, 10, 3', async () => {
    const people = Array.from({ length: 10 }, (_, i) => (i === 3 ? ada : { email: `nobody${i}@example.com` }));
    const result = await provider.invoke({ people }, invokeCtx());
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]!.path).toBe('/api/v1/people/bulk_match');
    expect(Object.fromEntries(sim.requests[0]!.query)).toEqual({ reveal_personal_emails: 'false', reveal_phone_number: 'false' });
    expect((sim.requests[0]!.body as { details: unknown[] }).details).toHaveLength(10);
    expect(result.summary).toEqual({ matched: 1, notMatched: 9, failed: 0 });
    expect(result.people.map((p) => [p.index, p.status])).toEqual(people.map((_, i) => [i, i === 3 ? 'matched' : 'not_matched']));
    expect(result.people[3]!.result!.person!.email).toBe('ada@analytical.example');
    for (const p of result.people) expect(leadEnrichmentResult.safeParse(p.result).success).toBe(true);

    sim.reset();
    const many = await provider.invoke({ people: Array.from({ length: 23 }, () => ada) }, invokeCtx());
    expect(many.summary).toEqual({ matched: 23, notMatched: 0, failed: 0 });
    expect(sim.requests.map((r) => (r.body as { details: unknown[] }).details.length)).toEqual([10, 10, 3]);
  });

  it('a bulk_match call rate-limited after others succeeded: a partial result, the rest not attempted; first call limited: the error', async () => {
    sim.fail('rate_limit', { window: 'minute', after: 1, times: 1 });
    const partial = await provider.invoke({ people: Array.from({ length: 23 }, () => ada) }, invokeCtx());
    expect(partial.summary).toEqual({ matched: 10, notMatched: 0, failed: 13 });
    expect(partial.people.slice(10, 20).map((p) => p.error?.code)).toEqual(Array(10).fill('GW_PROVIDER_RATE_LIMITED'));
    expect(partial.people.slice(20).map((p) => p.error?.code)).toEqual(Array(3).fill('NOT_ATTEMPTED'));
    expect(sim.requests).toHaveLength(2);
    sim.reset();
    sim.fail('rate_limit', { window: 'minute', times: 1 });
    expect((await fail(provider.invoke({ people: [ada, ada] }, invokeCtx()))).kind).toBe('rate_limited');
  });

  it('a bulk_match answer with fewer matches than people is a bad response, not a silent shift', async () => {
    sim.fail('short_bulk', { times: 1 });
    expect((await fail(provider.invoke({ people: [ada, ada, ada] }, invokeCtx()))).code).toBe('GW_PROVIDER_BAD_RESPONSE');
  });

  it('429 waits until the end of the exhausted window (minute, hour, day), else the window in the message, else 60 s', async () => {
    const clock = new ManualClock(Date.parse('2026-03-02T10:15:30.250Z'));
    const p = makeProvider(sim, {}, { ...testDeps(), clock });
    const wait = async (opts: Record<string, unknown>) => {
      sim.reset();
      sim.fail('rate_limit', opts);
      return (await fail(p.invoke(ada, invokeCtx()))).retryAfterMs;
    };
    expect(await wait({ window: 'minute' })).toBe(29_750);
    expect(await wait({ window: 'hour' })).toBe(44 * 60_000 + 29_750);
    expect(await wait({ window: 'day' })).toBe(13 * 3_600_000 + 44 * 60_000 + 29_750);
    expect(await wait({ window: 'message' })).toBe(44 * 60_000 + 29_750);
    // The same message under `detail` (no window headers): still the end of the hour, not 60 s.
    expect(await wait({ window: 'message', key: 'detail' })).toBe(44 * 60_000 + 29_750);
    expect(await wait({ window: 'none' })).toBe(60_000);
  });

  it('probe uses usage stats; a non-master key falls back to auth/health with a warning', async () => {
    expect(await provider.probe(probeCtx())).toMatchObject({ metadata: { check: 'usage_stats', minuteLeft: 50 } });
    const limited = await start({ masterKey: false });
    try {
      const result = await makeProvider(limited).probe(probeCtx());
      expect(result).toMatchObject({ metadata: { check: 'auth_health' } });
      expect(result.warnings).toHaveLength(1);
      expect(limited.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /api/v1/usage_stats/api_usage_stats',
        'GET /api/v1/auth/health',
      ]);
    } finally {
      await limited.close();
    }
  });

  it('a slow peer still answers within the deadline; past it the attempt is a timeout', async () => {
    sim.fail('slow', { delayMs: 150, times: 1 });
    expect((await provider.invoke(ada, invokeCtx({ timeoutMs: 2_000 }))).matched).toBe(true);
    sim.fail('slow', { delayMs: 1_000, times: 1 });
    expect(await fail(provider.invoke(ada, invokeCtx({ timeoutMs: 200 })))).toMatchObject({ kind: 'timeout', code: 'GW_PROVIDER_TIMEOUT' });
  });

  it('works against the older /v1 base path, and is not_configured without a key', async () => {
    expect((await makeProvider(sim, { baseUrl: `${sim.url}/v1` }).invoke(ada, invokeCtx())).matched).toBe(true);
    expect((await fail(makeProvider(sim, { apiKey: undefined }).invoke(ada, invokeCtx()))).kind).toBe('not_configured');
  });
});
