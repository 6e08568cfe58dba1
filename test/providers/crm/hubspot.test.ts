import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { crmSync, type CrmSyncResult } from '../../../src/capabilities/crm-sync.js';
import type { GatewayError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { hubspotProviderType } from '../../../src/providers/hubspot/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type HubSpotSim } from '../../simulators/hubspot.js';

function makeProvider(
  sim: HubSpotSim,
  extra: Record<string, unknown> = {},
  logger = captureLogger().logger,
): Provider<unknown, CrmSyncResult> {
  const options = hubspotProviderType.options.parse({ accessToken: sim.token, baseUrl: sim.url, batchIntervalMs: 0, ...extra });
  return hubspotProviderType.create('hubspot_test', options, testDeps(logger)) as Provider<unknown, CrmSyncResult>;
}

const contacts = (n: number, from = 0) => ({
  mergeOn: ['email'],
  records: Array.from({ length: n }, (_, i) => ({
    fields: { email: `p${from + i}@example.com`, firstname: `P${from + i}`, score: i, vip: i % 2 === 0 },
  })),
});

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GatewayError,
  );

adapterContract('hubspot', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  return {
    provider: makeProvider(sim, {}, logger),
    capability: crmSync,
    request: () => contacts(1),
    secrets: [sim.token],
    rateLimitOnSuccess: { window: '10s' },
    retries: { noneBecause: 'HubSpot has no idempotency id: batch upsert on the id property makes a retry safe' },
    batch: {
      request: (n) => contacts(n),
      maximum: 100,
      callSizes: () =>
        sim.requests.filter((r) => r.path.endsWith('/batch/upsert')).map((r) => (r.body as { inputs: unknown[] }).inputs.length),
    },
    failures: [
      { name: '401 INVALID_AUTHENTICATION', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '401 EXPIRED_AUTHENTICATION', arm: () => sim.fail('expired'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '403 MISSING_SCOPES', arm: () => sim.fail('scopes'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '400 VALIDATION_ERROR', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '404 on the configured object', arm: () => sim.fail('not_found'), kind: 'misconfigured', code: 'GW_PROVIDER_MISCONFIGURED' },
      {
        name: '429 TEN_SECONDLY_ROLLING with interval header',
        arm: () => sim.fail('rate_limit'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [10_000, 10_000],
      },
      {
        name: '429 SECONDLY with Retry-After: 2',
        arm: () => sim.fail('rate_limit', { policy: 'SECONDLY', retryAfter: '2' }),
        kind: 'rate_limited',
        retryAfterMs: [2_000, 2_000],
      },
      { name: '429 DAILY', arm: () => sim.fail('daily_limit'), kind: 'quota', code: 'GW_PROVIDER_QUOTA', retryAfterMs: [1, 86_400_000] },
      { name: '502', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '200 with an error body', arm: () => sim.fail('error_200'), kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' },
      { name: 'connection dropped after sending', arm: () => sim.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('scopes'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('hubspot adapter', () => {
  let sim: HubSpotSim;
  let provider: Provider<unknown, CrmSyncResult>;
  beforeAll(async () => {
    sim = await start();
    provider = makeProvider(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  const upserts = () => sim.requests.filter((r) => r.path.endsWith('/batch/upsert'));

  it('splits 230 records into calls of 100, 100, 30 with string properties; `new` decides created/updated', async () => {
    const first = await provider.invoke(contacts(230), invokeCtx());
    expect(first).toMatchObject({ created: 230, updated: 0, failed: 0 });
    const calls = upserts();
    expect(calls.map((c) => (c.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 100, 30]);
    const input = (calls[0]!.body as { inputs: { idProperty: string; id: string; properties: Record<string, unknown> }[] }).inputs[0]!;
    expect(input).toEqual({
      idProperty: 'email',
      id: 'p0@example.com',
      properties: { email: 'p0@example.com', firstname: 'P0', score: '0', vip: 'true' },
    });
    expect(calls[0]!.path).toBe('/crm/v3/objects/contacts/batch/upsert');

    const second = await provider.invoke(contacts(3, 228), invokeCtx());
    expect(second).toMatchObject({ created: 1, updated: 2 });
    expect(second.records[0]!.id).toBe(first.records[228]!.id);
  });

  it('207 Multi-Status: invalid inputs fail one by one, the rest are written', async () => {
    const req = contacts(3);
    req.records[1]!.fields.email = 'not-an-email';
    const result = await provider.invoke(req, invokeCtx());
    expect(result).toMatchObject({ created: 2, failed: 1 });
    expect(result.records[1]).toMatchObject({ index: 1, status: 'failed', error: { code: 'GW_PROVIDER_REJECTED' } });
    expect(result.records[1]!.error!.message).toMatch(/^VALIDATION_ERROR/);
  });

  it('the same invalid input under the 400 reading refuses the whole batch', async () => {
    const strict = await start({ invalidInputs: '400' });
    try {
      const req = contacts(2);
      req.records[0]!.fields.email = 'nope';
      const error = await fail(makeProvider(strict).invoke(req, invokeCtx()));
      expect(error).toMatchObject({ kind: 'invalid_request', status: 400, details: { providerCode: 'VALIDATION_ERROR' } });
    } finally {
      await strict.close();
    }
  });

  it('409 "Existing ID: N" is resolved by PATCHing that object (a chunk is retried input by input)', async () => {
    const seeded = await provider.invoke(contacts(1), invokeCtx());
    const existingId = seeded.records[0]!.id!;
    sim.requests.length = 0;
    sim.fail('conflict', { existingId, times: 2, path: '/batch/upsert' });
    const result = await provider.invoke(contacts(3), invokeCtx());
    expect(result).toMatchObject({ created: 2, updated: 1, failed: 0 });
    expect(result.records[0]).toMatchObject({ id: existingId, status: 'updated' });
    const calls = sim.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      'POST /crm/v3/objects/contacts/batch/upsert',
      'POST /crm/v3/objects/contacts/batch/upsert',
      `PATCH /crm/v3/objects/contacts/${existingId}`,
      'POST /crm/v3/objects/contacts/batch/upsert',
      'POST /crm/v3/objects/contacts/batch/upsert',
    ]);
    expect(sim.objects().find((o) => o.id === existingId)!.properties.firstname).toBe('P0');
  });

  it('without mergeOn the records are created with batch/create; each result is tied back by its objectWriteTraceId', async () => {
    const { mergeOn: _upsertOnly, ...plain } = contacts(130);
    const result = await provider.invoke(plain, invokeCtx());
    expect(result).toMatchObject({ created: 130, updated: 0, failed: 0 });
    const calls = sim.requests.filter((r) => r.path.endsWith('/batch/create'));
    expect(calls.map((c) => (c.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 30]);
    const second = (calls[1]!.body as { inputs: { objectWriteTraceId: string; properties: Record<string, string> }[] }).inputs[0]!;
    expect(second).toEqual({
      objectWriteTraceId: '100',
      properties: { email: 'p100@example.com', firstname: 'P100', score: '100', vip: 'true' },
    });
    const byId = new Map(sim.objects().map((o) => [o.id, o.properties.email]));
    expect(result.records.map((r) => byId.get(r.id!))).toEqual(plain.records.map((r) => r.fields.email));
    expect(provider.deduplicatesRequest!(plain)).toBe(false);
    expect(provider.deduplicatesRequest!(contacts(1))).toBe(true);
  });

  it('a create refused 409 for an existing contact fails that record only (found input by input); nothing is updated', async () => {
    const seeded = await provider.invoke(contacts(1, 1), invokeCtx());
    const { mergeOn: _upsertOnly, ...plain } = contacts(3);
    sim.requests.length = 0;
    const result = await provider.invoke(plain, invokeCtx());
    expect(result).toMatchObject({ created: 2, updated: 0, failed: 1 });
    expect(result.records[1]).toMatchObject({ status: 'failed', error: { code: 'GW_PROVIDER_REJECTED' } });
    expect(result.records[1]!.error!.message).toContain(`Existing ID: ${seeded.records[0]!.id}`);
    expect(sim.requests.map((r) => (r.body as { inputs: unknown[] }).inputs.length)).toEqual([3, 1, 1, 1]);
    expect(sim.objects()).toHaveLength(3);
  });

  it('chunk 2 rate-limited after chunk 1 was written: a partial result, not an error', async () => {
    sim.fail('rate_limit', { after: 1, times: 1, path: '/batch/upsert' });
    const result = await provider.invoke(contacts(150), invokeCtx());
    expect(result).toMatchObject({ created: 100, failed: 50 });
    expect(result.records[120]!.error!.code).toBe('GW_PROVIDER_RATE_LIMITED');
  });

  it('mergeOn with two fields is refused without a call; an unknown object named by the request is invalid', async () => {
    const two = await fail(provider.invoke({ ...contacts(1), mergeOn: ['email', 'firstname'] }, invokeCtx()));
    expect(two).toMatchObject({ kind: 'invalid_request', details: { field: 'mergeOn' } });
    expect(sim.requests).toHaveLength(0);
    const unknown = await fail(provider.invoke({ ...contacts(1), object: 'widgets' }, invokeCtx()));
    expect(unknown).toMatchObject({ kind: 'invalid_request', status: 404 });
  });

  it('probe reads one contact and reports the rate-limit headroom', async () => {
    const result = await provider.probe!(probeCtx());
    expect(result).toMatchObject({ metadata: { dailyRemaining: 249_000, intervalRemaining: 99 } });
    expect(sim.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(['GET /crm/v3/objects/contacts?limit=1']);
  });

  it('a daily 429 waits until midnight in the account time zone, read once from the account details and kept', async () => {
    const la = await start({ timeZone: 'America/Los_Angeles' });
    try {
      // 06:00 UTC on 2 March is 22:00 on 1 March in Los Angeles: its midnight is 2 h away (UTC's, 18 h).
      const clock = new ManualClock(Date.parse('2026-03-02T06:00:00Z'));
      const deps = { ...testDeps(), clock };
      const options = hubspotProviderType.options.parse({ accessToken: la.token, baseUrl: la.url, batchIntervalMs: 0 });
      const p = hubspotProviderType.create('hs', options, deps);
      la.fail('daily_limit', { path: 'batch' });
      const first = await fail(p.invoke(contacts(1), invokeCtx()));
      expect(first).toMatchObject({ code: 'GW_PROVIDER_QUOTA', retryAfterMs: 2 * 3_600_000, details: { timeZone: 'America/Los_Angeles' } });
      await fail(p.invoke(contacts(1), invokeCtx()));
      // A restarted provider over the same state does not read it again.
      const again = hubspotProviderType.create('hs', options, deps);
      expect(await fail(again.invoke(contacts(1), invokeCtx()))).toMatchObject({ retryAfterMs: 2 * 3_600_000 });
      expect(la.accountDetailsReads()).toBe(1);
      expect(la.requests.filter((r) => r.path === '/account-info/v3/details').map((r) => r.method)).toEqual(['GET']);
    } finally {
      await la.close();
    }
  });

  it('reports the tightest rate-limit window of every answer (the 10-second one here)', async () => {
    const reported: RateLimitState[] = [];
    await provider.invoke(contacts(1), invokeCtx({ reportRateLimit: (s) => reported.push(s) }));
    expect(reported).toEqual([{ window: '10s', remaining: 99, limit: 100, resetAt: expect.any(Number) }]);
  });

  it('date-versioned API paths are built from apiVersion', async () => {
    const dated = makeProvider(sim, { apiVersion: '2026-03' });
    const error = await fail(dated.invoke(contacts(1), invokeCtx()));
    expect(error).toMatchObject({ kind: 'misconfigured', details: { option: 'object' } });
    expect(sim.requests[0]!.path).toBe('/crm/objects/2026-03/contacts/batch/upsert');
  });
});
