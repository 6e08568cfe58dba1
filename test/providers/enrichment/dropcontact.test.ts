import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { leadEnrichment, type LeadEnrichmentBatchResult, type LeadEnrichmentResult } from '../../../src/capabilities/lead-enrichment.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { GatewayError } from '../../../src/core/errors.js';
import type { Provider } from '../../../src/core/provider.js';
import { DropcontactProvider, dropcontactProviderType } from '../../../src/providers/dropcontact/index.js';
import { qualificationStatus } from '../../../src/providers/dropcontact/qualification.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type DropcontactSim } from '../../simulators/dropcontact.js';

type Deps = ReturnType<typeof testDeps>;

function makeProvider(
  sim: DropcontactSim,
  extra: Record<string, unknown> = {},
  deps: Deps = testDeps(),
): Provider<unknown, LeadEnrichmentResult> {
  const options = dropcontactProviderType.options.parse({ apiKey: sim.apiKey, baseUrl: sim.url, pollIntervalMs: 20, ...extra });
  return dropcontactProviderType.create('dropcontact_test', options, deps) as Provider<unknown, LeadEnrichmentResult>;
}

const ada = { firstName: 'Ada', lastName: 'Lovelace', domain: 'analytical.example' };
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GatewayError,
  );

adapterContract('dropcontact', async () => {
  const sim = await start({ retryInSeconds: 0 });
  const { logger, lines } = captureLogger();
  return {
    provider: makeProvider(sim, {}, testDeps(logger)),
    capability: leadEnrichment,
    request: () => ({ ...ada }),
    secrets: [sim.apiKey],
    rateLimitOnSuccess: { noneBecause: 'Dropcontact documents no rate-limit headers (60 requests/s, a 429 only)' },
    retries: { noneBecause: 'Dropcontact is a read API; a retry resumes the stored request id instead' },
    batch: {
      request: (n) => ({ people: Array.from({ length: n }, (_, i) => ({ email: `p${i}@example.com` })) }),
      maximum: 250,
      callSizes: () =>
        sim.requests
          .filter((r) => r.method === 'POST' && r.path === '/v1/enrich/all')
          .map((r) => (r.body as { data: unknown[] }).data.length),
    },
    failures: [
      { name: '401 invalid key', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 not enough credits', arm: () => sim.fail('credits'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      {
        name: '429 without Retry-After (default 1 s)',
        arm: () => sim.fail('rate_limit'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [1_000, 1_000],
      },
      {
        name: '429 with Retry-After: 3',
        arm: () => sim.fail('rate_limit', { retryAfter: '3' }),
        kind: 'rate_limited',
        retryAfterMs: [3_000, 3_000],
      },
      { name: '400 Missing data in JSON', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '422 {"detail":[...]}', arm: () => sim.fail('detail_error'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '404 {"detail":"Not Found"}', arm: () => sim.fail('not_found'), kind: 'not_configured', code: 'GW_NOT_CONFIGURED' },
      { name: '500 on submit', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      {
        name: '502 while polling',
        arm: () => sim.fail('server_error', { status: 502, method: 'GET' }),
        kind: 'transient',
        code: 'GW_PROVIDER_TRANSIENT',
      },
      { name: '200 with an error body', arm: () => sim.fail('error_200'), kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' },
      {
        name: '200 with a credits error',
        arm: () => sim.fail('error_200', { reason: 'Not enough credits' }),
        kind: 'quota',
        code: 'GW_PROVIDER_QUOTA',
      },
      { name: 'connection dropped', arm: () => sim.fail('drop'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('dropcontact adapter', () => {
  let sim: DropcontactSim;
  beforeAll(async () => {
    sim = await start({ retryInSeconds: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('submits once, polls through "not ready yet" answers, then normalises the result', async () => {
    const result = await makeProvider(sim).invoke(ada, invokeCtx());
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/enrich/all',
      'GET /v1/enrich/all/req000000000001',
      'GET /v1/enrich/all/req000000000001',
      'GET /v1/enrich/all/req000000000001',
    ]);
    const submit = sim.requests[0]!;
    expect(submit.headers['x-access-token']).toBe(sim.apiKey);
    expect(submit.body).toEqual({
      data: [{ first_name: 'Ada', last_name: 'Lovelace', website: 'analytical.example' }],
      siren: false,
      language: 'en',
    });
    expect(result).toMatchObject({
      matched: true,
      person: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        title: 'Head of Engineering',
        email: 'ada@analytical.example',
        linkedinUrl: 'https://www.linkedin.com/in/ada-lovelace',
      },
      organization: { name: 'Analytical Engines', domain: 'analytical.example', employees: '51-200' },
      emailStatus: 'verified',
    });
    expect(result.sources['person.email']).toBe('dropcontact_test');
  });

  it('honours "try again in 30 seconds": the next poll comes 30 s later, not after its own 2 s interval', async () => {
    const documented = await start({ retryInSeconds: 30, readyAfterPolls: 1 });
    try {
      const clock = new ManualClock(Date.now());
      const p = makeProvider(documented, { pollIntervalMs: 2_000 }, { ...testDeps(), clock });
      const pending = p.invoke(ada, invokeCtx({ deadline: clock.now() + 120_000 }));
      const pollsAt: number[] = [];
      for (let waited = 0; waited <= 40_000 && documented.polls() < 2; waited += 500) {
        await new Promise((r) => setTimeout(r, 5)); // let the HTTP answers arrive
        if (documented.polls() > pollsAt.length) pollsAt.push(clock.now());
        await clock.advance(500);
      }
      await clock.advance(500);
      expect((await pending).matched).toBe(true);
      expect(documented.polls()).toBe(2);
      expect(pollsAt[1]! - pollsAt[0]!).toBeGreaterThanOrEqual(30_000);
    } finally {
      await documented.close();
    }
  });

  it('maps email qualifications to emailStatus', async () => {
    const p = makeProvider(sim, {}, testDeps());
    sim.readyAfterPolls = 0;
    expect((await p.invoke({ email: 'info@catchall.example' }, invokeCtx())).emailStatus).toBe('catch_all');
    const gone = await p.invoke({ email: 'gone@invalid.example' }, invokeCtx());
    expect(gone.emailStatus).toBe('invalid');
    expect(gone.person?.email).toBeUndefined(); // an invalid address never becomes the person's email
    expect((await p.invoke({ email: 'new@person.example' }, invokeCtx())).emailStatus).toBe('verified');
    expect(
      [
        'nominatif@pro',
        'catch_all@pro',
        'non_validé@perso',
        'invalide@pro',
        'nominative@invalid domain',
        'Do_Not_Contact@pro',
        'generic@disposable',
      ].map(qualificationStatus),
    ).toEqual(['verified', 'catch_all', 'unverified', 'invalid', 'invalid', 'unknown', 'invalid']);
  });

  it('a people request is one submit of up to 250 contacts; each result comes back at its position, an invalid address never becomes the email', async () => {
    const people = [ada, { email: 'gone@invalid.example' }, { email: 'someone@else.example' }];
    const result = (await makeProvider(sim).invoke({ people }, invokeCtx())) as unknown as LeadEnrichmentBatchResult;
    const submits = sim.requests.filter((r) => r.method === 'POST');
    expect(submits).toHaveLength(1);
    expect((submits[0]!.body as { data: unknown[] }).data).toEqual([
      { first_name: 'Ada', last_name: 'Lovelace', website: 'analytical.example' },
      { email: 'gone@invalid.example' },
      { email: 'someone@else.example' },
    ]);
    expect(result.people.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(result.people[0]!.result!.person!.email).toBe('ada@analytical.example');
    expect(result.people[1]!.result!.person?.email).toBeUndefined();
    expect(result.people[1]!.result!.emailStatus).toBe('invalid');
    expect(result.people[2]!.result!.person!.email).toBe('someone@else.example');
    expect(result.summary.failed).toBe(0);
  });

  it('a people request resumes each submit by its position: a retry polls the stored request ids, submitting nothing again', async () => {
    const deps = testDeps();
    const p = makeProvider(sim, { pollIntervalMs: 50 }, deps);
    sim.readyAfterPolls = 1_000;
    const people = Array.from({ length: 260 }, (_, i) => ({ email: `p${i}@example.com` }));
    const error = await fail(p.invoke({ people }, invokeCtx({ idempotencyKey: 'bulk-1', timeoutMs: 300 })));
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(await deps.state.get(DropcontactProvider.stateKey('bulk-1', 0))).toMatchObject({ requestId: 'req000000000001' });
    sim.readyAfterPolls = 0;
    const result = (await p.invoke(
      { people },
      invokeCtx({ idempotencyKey: 'bulk-1', attempt: 2 }),
    )) as unknown as LeadEnrichmentBatchResult;
    expect(result.summary).toMatchObject({ failed: 0 });
    expect(result.people).toHaveLength(260);
    expect(sim.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { data: unknown[] }).data.length)).toEqual([250, 10]);
  });

  it('polling is bounded by the attempt deadline; a retry with the same key resumes without a second submit', async () => {
    const deps = testDeps();
    const p = makeProvider(sim, { pollIntervalMs: 50 }, deps);
    sim.readyAfterPolls = 1_000;
    const started = Date.now();
    const error = await fail(p.invoke(ada, invokeCtx({ idempotencyKey: 'inv-1', timeoutMs: 400 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ kind: 'timeout', code: 'GW_PROVIDER_TIMEOUT', details: { resumable: true } });
    expect(await deps.state.get(DropcontactProvider.stateKey('inv-1'))).toMatchObject({ requestId: 'req000000000001' });
    const pollsBefore = sim.polls();
    expect(pollsBefore).toBeGreaterThan(1);

    sim.readyAfterPolls = 0;
    const result = await p.invoke(ada, invokeCtx({ idempotencyKey: 'inv-1', attempt: 2 }));
    expect(result.matched).toBe(true);
    expect(sim.submits()).toBe(1);
    expect(sim.requests[pollsBefore + 1]!.method).toBe('GET'); // resumed at once with a poll
    expect(await deps.state.get(DropcontactProvider.stateKey('inv-1'))).toBeUndefined();
  });

  it('a different idempotency key submits again; a terminal error forgets the stored request', async () => {
    const deps = testDeps();
    const p = makeProvider(sim, {}, deps);
    sim.readyAfterPolls = 0;
    await p.invoke(ada, invokeCtx({ idempotencyKey: 'a' }));
    await p.invoke(ada, invokeCtx({ idempotencyKey: 'b' }));
    expect(sim.submits()).toBe(2);
    sim.fail('auth', { method: 'GET' });
    expect((await fail(p.invoke(ada, invokeCtx({ idempotencyKey: 'c' })))).kind).toBe('auth');
    expect(await deps.state.get(DropcontactProvider.stateKey('c'))).toBeUndefined();
  });

  it('a rate limit while polling keeps the request for the next attempt', async () => {
    const deps = testDeps();
    const p = makeProvider(sim, {}, deps);
    sim.fail('rate_limit', { method: 'GET', times: 1 });
    expect((await fail(p.invoke(ada, invokeCtx({ idempotencyKey: 'rl' })))).kind).toBe('rate_limited');
    expect(await deps.state.get(DropcontactProvider.stateKey('rl'))).toBeDefined();
    expect((await p.invoke(ada, invokeCtx({ idempotencyKey: 'rl' }))).matched).toBe(true);
    expect(sim.submits()).toBe(1);
  });

  it('probe reads the credits; zero credits fails it as quota', async () => {
    const p = makeProvider(sim);
    expect(await p.probe!(probeCtx())).toEqual({ metadata: { credits: 1_000 }, quotaAvailable: true });
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/account/credits']);
    sim.credits = 0;
    expect(await fail(p.probe!(probeCtx()))).toMatchObject({ kind: 'quota', details: { credits: 0 } });
    const noKey = makeProvider(sim, { apiKey: undefined });
    expect((await fail(noKey.probe!(probeCtx()))).kind).toBe('not_configured');
  });
});
