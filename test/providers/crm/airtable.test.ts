import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/capabilities/capability.js';
import { crmSync, type CrmSyncResult } from '../../../src/capabilities/crm-sync.js';
import { createProviderChain } from '../../../src/core/build.js';
import { GatewayError } from '../../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { airtableProviderType } from '../../../src/providers/airtable/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, invokeCtx, testDeps } from '../../helpers/context.js';
import { start, type AirtableSim } from '../../simulators/airtable.js';

function makeProvider(
  sim: AirtableSim,
  extra: Record<string, unknown> = {},
  logger = captureLogger().logger,
  name = 'airtable_test',
): Provider<unknown, CrmSyncResult> {
  const options = airtableProviderType.options.parse({
    apiToken: sim.token,
    baseId: sim.baseId,
    table: 'Contacts',
    baseUrl: sim.url,
    batchIntervalMs: 0,
    ...extra,
  });
  return airtableProviderType.create(name, options, testDeps(logger)) as Provider<unknown, CrmSyncResult>;
}

const contacts = (n: number, from = 0) => ({
  mergeOn: ['Email'],
  records: Array.from({ length: n }, (_, i) => ({ fields: { Email: `p${from + i}@example.com`, Name: `Person ${from + i}` } })),
});

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GatewayError,
  );

adapterContract('airtable', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  return {
    provider: makeProvider(sim, {}, logger),
    capability: crmSync,
    request: () => contacts(1),
    secrets: [sim.token],
    rateLimitOnSuccess: { noneBecause: 'Airtable sends no rate-limit headers; only its 429 says the base is spent' },
    retries: { noneBecause: 'Airtable has no idempotency id: an upsert (mergeOn) is what makes a retry safe' },
    batch: {
      request: (n) => contacts(n),
      maximum: 10,
      callSizes: () => sim.requests.filter((r) => r.method === 'PATCH').map((r) => (r.body as { records: unknown[] }).records.length),
    },
    failures: [
      { name: '401 AUTHENTICATION_REQUIRED', arm: () => sim.fail('auth'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      {
        name: '403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND on the configured base',
        arm: () => sim.fail('forbidden'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      {
        name: '404 {"error":"NOT_FOUND"} on the configured table',
        arm: () => sim.fail('not_found'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      { name: '422 INVALID_VALUE_FOR_COLUMN', arm: () => sim.fail('validation'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '413 payload too large', arm: () => sim.fail('too_large'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      {
        name: '429 RATE_LIMIT_REACHED (30-second rule)',
        arm: () => sim.fail('rate_limit'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [30_000, 30_000],
      },
      {
        name: '429 with Retry-After: 7',
        arm: () => sim.fail('rate_limit', { retryAfter: '7' }),
        kind: 'rate_limited',
        retryAfterMs: [7_000, 7_000],
      },
      { name: '500', arm: () => sim.fail('server_error', { status: 500 }), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '502', arm: () => sim.fail('server_error', { status: 502 }), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '503', arm: () => sim.fail('server_error', { status: 503 }), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '200 with an error body', arm: () => sim.fail('error_200'), kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' },
      { name: 'connection dropped after sending', arm: () => sim.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('auth'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});

describe('airtable adapter', () => {
  let sim: AirtableSim;
  let provider: Provider<unknown, CrmSyncResult>;
  beforeAll(async () => {
    sim = await start();
    provider = makeProvider(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  const patches = () => sim.requests.filter((r) => r.method === 'PATCH');

  it('upserts 23 records in 3 calls of at most 10, with performUpsert, then updates them on the second sync', async () => {
    const first = await provider.invoke(contacts(23), invokeCtx());
    expect(first).toMatchObject({ created: 23, updated: 0, failed: 0 });
    const calls = patches();
    expect(calls.map((c) => (c.body as { records: unknown[] }).records.length)).toEqual([10, 10, 3]);
    for (const c of calls) {
      expect(c.path).toBe(`/v0/${sim.baseId}/Contacts`);
      expect((c.body as { performUpsert: unknown }).performUpsert).toEqual({ fieldsToMergeOn: ['Email'] });
      expect(c.headers.authorization).toBe(`Bearer ${sim.token}`);
    }
    expect(first.records.map((r) => r.index)).toEqual([...Array(23).keys()]);

    const second = await provider.invoke(contacts(25), invokeCtx());
    expect(second).toMatchObject({ created: 2, updated: 23, failed: 0 });
    expect(second.records.slice(0, 23).map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    expect(sim.records('Contacts')).toHaveLength(25);
  });

  it('without mergeOn the records are created: POST with records only, in calls of 10; a second sync creates them again', async () => {
    const { mergeOn: _upsertOnly, ...plain } = contacts(12);
    const first = await provider.invoke(plain, invokeCtx());
    expect(first).toMatchObject({ created: 12, updated: 0, failed: 0 });
    expect(first.records.every((r) => r.status === 'created' && r.id?.startsWith('rec'))).toBe(true);
    const posts = sim.requests.filter((r) => r.method === 'POST');
    expect(posts.map((c) => (c.body as { records: unknown[] }).records.length)).toEqual([10, 2]);
    for (const c of posts) {
      expect(c.path).toBe(`/v0/${sim.baseId}/Contacts`);
      expect(Object.keys(c.body as object)).toEqual(['records']);
    }
    expect(patches()).toHaveLength(0);
    await provider.invoke(plain, invokeCtx());
    expect(sim.records('Contacts')).toHaveLength(24);
  });

  it('a create whose connection drops is an unknown outcome: the chain neither retries nor fails over; an upsert fails over', async () => {
    const backupSim = await start();
    try {
      const newChain = () =>
        createProviderChain({
          capability: 'crm_sync',
          sideEffects: true,
          providers: [provider, makeProvider(backupSim, {}, captureLogger().logger, 'airtable_backup')],
          policy: { retry: { maxAttemptsPerProvider: 2 } },
          validate: (r) => parseRequest(crmSync, r),
        });
      const chain = newChain();
      const { mergeOn: _upsertOnly, ...plain } = contacts(1);
      expect(chain.deduplicates(plain)).toBe(false);
      expect(chain.deduplicates(contacts(1))).toBe(true);

      sim.fail('drop', { method: 'POST' });
      const error = await fail(chain.invoke(plain));
      expect(error).toMatchObject({ code: 'GW_UNKNOWN_OUTCOME', kind: 'unknown_outcome' });
      expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(backupSim.requests).toHaveLength(0);

      sim.fail('drop', { method: 'PATCH' });
      const served = await newChain().invoke<CrmSyncResult>(contacts(1));
      expect(served.provider).toBe('airtable_backup');
      expect(served.attempts.map((a) => a.outcome)).toEqual(['unknown_outcome', 'success']);
      expect(backupSim.records('Contacts')).toHaveLength(1);
    } finally {
      await backupSim.close();
    }
  });

  it('batch 2 of 3 rate-limited: batch 1 reported written, batch 2 failed with the code, batch 3 not attempted', async () => {
    sim.fail('rate_limit', { method: 'PATCH', after: 1, times: 1 });
    const reported: RateLimitState[] = [];
    const result = await provider.invoke(contacts(23), invokeCtx({ reportRateLimit: (s) => reported.push(s) }));
    // No rate-limit headers on Airtable's answers: the 429 alone says the base is spent for 30 s.
    expect(reported).toEqual([{ window: '1s', remaining: 0, limit: 5, resetAt: expect.any(Number) }]);
    expect(result).toMatchObject({ created: 10, updated: 0, failed: 13 });
    expect(result.records.slice(0, 10).every((r) => r.status === 'created' && r.id)).toBe(true);
    expect(result.records.slice(10, 20).map((r) => r.error?.code)).toEqual(Array(10).fill('GW_PROVIDER_RATE_LIMITED'));
    expect(result.records.slice(20).map((r) => r.error?.code)).toEqual(Array(3).fill('NOT_ATTEMPTED'));
    expect(patches()).toHaveLength(2);
  });

  it('batch 2 of 3 refused (422): its records fail, batch 3 is still written', async () => {
    sim.fail('validation', { method: 'PATCH', after: 1, times: 1 });
    const result = await provider.invoke(contacts(23), invokeCtx());
    expect(result).toMatchObject({ created: 13, failed: 10 });
    expect(result.records.slice(10, 20).every((r) => r.status === 'failed' && r.error?.code === 'GW_PROVIDER_REJECTED')).toBe(true);
    expect(patches()).toHaveLength(3);
  });

  it('a failure on batch 1 throws (nothing was written)', async () => {
    sim.fail('server_error', { method: 'PATCH', times: 1 });
    const error = await fail(provider.invoke(contacts(23), invokeCtx()));
    expect(error.code).toBe('GW_PROVIDER_TRANSIENT');
    expect(patches()).toHaveLength(1);
  });

  it('a Retry-After HTTP date on a 429 wins over the 30-second rule', async () => {
    sim.fail('rate_limit', { retryAfter: new Date(Date.now() + 20_000).toUTCString() });
    const error = await fail(provider.invoke(contacts(1), invokeCtx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(17_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('a table named by the request that does not exist is the caller’s error; the 422 type is kept', async () => {
    const missing = await fail(provider.invoke({ ...contacts(1), object: 'Nope' }, invokeCtx()));
    expect(missing).toMatchObject({ kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED', status: 404 });
    sim.fail('validation');
    const invalid = await fail(provider.invoke(contacts(1), invokeCtx()));
    expect(invalid.details).toMatchObject({ providerCode: 'INVALID_VALUE_FOR_COLUMN' });
  });

  it('a configured table that does not exist, or a base the token cannot reach, is misconfigured naming the option', async () => {
    const noTable = makeProvider(sim, { table: 'Missing' });
    expect(await fail(noTable.invoke(contacts(1), invokeCtx()))).toMatchObject({
      kind: 'misconfigured',
      code: 'GW_PROVIDER_MISCONFIGURED',
      status: 404,
      details: { option: 'table' },
    });
    const wrongBase = makeProvider(sim, { baseId: 'appOTHER' });
    expect(await fail(wrongBase.invoke(contacts(1), invokeCtx()))).toMatchObject({
      kind: 'misconfigured',
      details: { providerCode: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND', option: 'baseId' },
    });
    // A table the request names is the caller's: the same 403 is an invalid request on `object`.
    const named = await fail(makeProvider(sim, { baseId: 'appOTHER' }).invoke({ ...contacts(1), object: 'Leads' }, invokeCtx()));
    expect(named).toMatchObject({ kind: 'invalid_request', details: { field: 'object' } });
  });

  it('sends typecast when configured, and is not_configured without a token', async () => {
    await makeProvider(sim, { typecast: true }).invoke(contacts(1), invokeCtx());
    expect((patches()[0]!.body as { typecast?: boolean }).typecast).toBe(true);
    const noToken = makeProvider(sim, { apiToken: undefined });
    expect(await fail(noToken.invoke(contacts(1), invokeCtx()))).toMatchObject({ code: 'GW_NOT_CONFIGURED' });
    expect(sim.requests).toHaveLength(1);
  });

  it('probe reads whoami and one record of the configured base and table; warns when an OAuth token lacks the write scope', async () => {
    const scoped = await start({ scopes: ['data.records:read'] });
    try {
      const p = makeProvider(scoped);
      const result = await p.probe!({
        signal: AbortSignal.timeout(2_000),
        deadline: Date.now() + 2_000,
        provider: 'airtable_test',
        logger: captureLogger().logger,
      });
      expect(result).toMatchObject({ metadata: { userId: 'usrSIMuser000001' } });
      expect(result?.warnings?.[0]).toMatch(/data\.records:write/);
      expect(scoped.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v0/meta/whoami', 'GET /v0/appSIMbase000001/Contacts']);
      expect(scoped.requests[1]!.query.get('maxRecords')).toBe('1');
      // A token without access to the base fails the probe as a write would.
      const noAccess = makeProvider(scoped, { baseId: 'appOTHER' });
      const error = await noAccess.probe!({
        signal: AbortSignal.timeout(2_000),
        deadline: Date.now() + 2_000,
        provider: 'airtable_test',
        logger: captureLogger().logger,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'misconfigured', details: { option: 'baseId' } });
    } finally {
      await scoped.close();
    }
  });
});
