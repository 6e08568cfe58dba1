/**
 * The bundled defaults in dry run: every one of the 9 capabilities answers a valid request with
 * a result that passes the capability's own result schema, each delivery is recorded by the
 * sandbox with its idempotency key, and an invalid request never reaches a sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, getCapability, type CapabilityName } from '../../src/capabilities/index.js';
import { BUNDLED_CONFIG, validateConfig } from '../../src/config/index.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { rejectionOf } from './helpers/live-gateway.js';

const post = (text: string) => ({ text, link: 'https://example.com/launch' });

const VALID: Record<CapabilityName, unknown> = {
  email_sending: { to: 'lead@example.com', subject: 'Launch', text: 'Hello', html: '<p>Hello</p>' },
  social_posting_linkedin: post('We launched'),
  social_posting_x: post('We launched'),
  social_posting_facebook: post('We launched'),
  crm_sync: {
    mergeOn: ['email'],
    records: [{ fields: { email: 'ada@example.com', name: 'Ada' } }, { fields: { email: 'grace@example.com' } }],
  },
  lead_enrichment: { email: 'ada@example.com' },
  email_verification: { email: 'ada@example.com' },
  reply_fetching: { mailbox: 'INBOX', limit: 10 },
  webhook_dispatch: { event: 'contact.created', payload: { email: 'ada@example.com' } },
};

describe('e2e: bundled defaults in dry run', () => {
  let gateway: Gateway;
  const totalCalls = (): number => gateway.listProviders().reduce((n, p) => n + (gateway.getSandbox(p.name)?.calls ?? 0), 0);

  beforeAll(async () => {
    const { config } = validateConfig({ ...BUNDLED_CONFIG, store: 'memory:' }, {});
    gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('runs in dry run with a sandbox behind every one of the 9 capabilities', () => {
    expect(gateway.mode).toBe('dry_run');
    expect(
      gateway
        .listProviderChains()
        .map((c) => c.capability)
        .sort(),
    ).toEqual([...CAPABILITY_NAMES].sort());
    for (const p of gateway.listProviders()) expect(gateway.getSandbox(p.name), p.name).toBeDefined();
  });

  it('every capability answers a valid request with a schema-valid result, recorded with its idempotency key', async () => {
    const served: Record<string, string> = {};
    for (const capability of CAPABILITY_NAMES) {
      const key = `e2e-dry-${capability}`;
      const r = await gateway.invoke(capability, VALID[capability], { idempotencyKey: key });
      const check = getCapability(capability)!.result.safeParse(r.result);
      expect(check.success, `${capability}: ${check.success ? '' : JSON.stringify(check.error.issues)}`).toBe(true);
      expect(r.idempotencyKey).toBe(key);
      expect(r.attempts.at(-1)).toMatchObject({ provider: r.provider, outcome: 'success' });
      served[capability] = r.provider;
    }

    const records = gateway.sandboxRecords();
    expect(records.map((x) => x.idempotencyKey).sort()).toEqual(CAPABILITY_NAMES.map((c) => `e2e-dry-${c}`).sort());
    for (const rec of records) {
      expect(rec.idempotencyKey).toBe(`e2e-dry-${rec.capability}`);
      expect(rec.provider).toBe(served[rec.capability]);
      expect(rec.duplicate).toBe(false);
    }
    const email = records.find((x) => x.capability === 'email_sending')!;
    expect(email.request).toMatchObject({ to: 'lead@example.com', subject: 'Launch' });
  });

  it('an invalid request: GW_INVALID_REQUEST with every problem and its path, and no sandbox is called', async () => {
    const before = totalCalls();
    const recorded = gateway.sandboxRecords().length;
    const e = await rejectionOf(
      gateway.invoke('email_sending', { to: 'not-an-address', subject: '' }, { idempotencyKey: 'e2e-dry-invalid' }),
    );
    expect([e.code, e.kind]).toEqual(['GW_INVALID_REQUEST', 'invalid_request']);
    const problems = (e.details?.problems ?? []) as { path: string; message: string }[];
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['to', 'subject']));
    expect(totalCalls()).toBe(before);
    expect(gateway.sandboxRecords()).toHaveLength(recorded);

    const crm = await rejectionOf(gateway.invoke('crm_sync', { mergeOn: ['email'], records: [{ fields: { name: 'no email' } }] }));
    expect(crm.code).toBe('GW_INVALID_REQUEST');
    expect((crm.details?.problems as { path: string }[]).map((p) => p.path)).toEqual(['records[0].fields.email']);
    expect(totalCalls()).toBe(before);
  });

  it('an unknown capability: GW_UNKNOWN_CAPABILITY', async () => {
    const e = await rejectionOf(gateway.invoke('fax_sending', {}));
    expect(e.code).toBe('GW_UNKNOWN_CAPABILITY');
  });
});
