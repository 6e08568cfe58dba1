/**
 * Complaint rates through the HTTP service (dry run, two sandbox ESPs): complaints reported for
 * the primary's mail raise a critical recommendation at once, bulk mail then goes to the backup
 * while transactional mail stays, and when the rate falls the recommendation resolves and bulk
 * mail returns.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createServer } from '../../src/server/index.js';
import { silent } from '../server/helpers.js';
import { standardHeaders } from './signers.js';

const KEY = 'rates-test-key-0123456789abcdef';
const api = { authorization: `Bearer ${KEY}` };
const SECRET = `whsec_${Buffer.from('esp-main-secret-0123456789').toString('base64')}`;

describe('deliverability rates raise, demote and resolve', () => {
  let gateway: Gateway;
  let app: FastifyInstance;

  beforeEach(async () => {
    const { config } = validateConfig(
      {
        mode: 'dry_run',
        store: 'memory:',
        logLevel: 'silent',
        server: { apiKeys: [KEY] },
        monitoring: { intervalSeconds: 0 },
        deliverability: {
          receivers: [{ name: 'esp_main', type: 'standard', secrets: [SECRET] }],
          thresholds: { minSent: 10, complaintWarning: 0.02, complaintCritical: 0.04 },
        },
        capabilities: {
          email_sending: {
            providers: [
              { name: 'esp_main', type: 'sendgrid', sandbox: { latencyMs: 0 } },
              { name: 'esp_backup', type: 'postmark', sandbox: { latencyMs: 0 } },
            ],
          },
        },
      },
      {},
    );
    gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await gateway.close();
  });

  const send = async (payload: Record<string, unknown>): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/v1/capabilities/email_sending', headers: api, payload });
    expect(res.statusCode).toBe(200);
    return res.json<{ provider: string }>().provider;
  };
  const complaint = (id: string, address: string) => {
    const raw = JSON.stringify({ type: 'complaint', timestamp: new Date().toISOString(), data: { address } });
    return app.inject({ method: 'POST', url: '/v1/events/esp_main', headers: standardHeaders(SECRET, id, raw), payload: raw });
  };
  const deliverabilityRecs = async () =>
    (await app.inject({ method: 'GET', url: '/v1/recommendations?capability=email_sending', headers: api }))
      .json<{ recommendations: { provider: string; issueKey: string; severity: string; issue: string }[] }>()
      .recommendations.filter((r) => r.issueKey.startsWith('deliverability_'));

  it('a critical complaint rate demotes the provider for bulk mail only, and resolves when the rate falls', async () => {
    for (let i = 0; i < 20; i++) expect(await send({ to: `t${i}@example.com`, subject: 'Receipt', text: 'x' })).toBe('esp_main');
    expect(await deliverabilityRecs()).toEqual([]);

    expect((await complaint('c1', 't1@example.com')).json()).toMatchObject({ applied: 1 });
    const report = (await app.inject({ method: 'GET', url: '/v1/deliverability', headers: api })).json();
    expect(report.providers).toEqual([
      expect.objectContaining({
        provider: 'esp_main',
        complaintRate: 0.05,
        complaint: 'critical',
        counts: expect.objectContaining({ sent: 20, complaint: 1 }),
      }),
    ]);
    await new Promise((r) => setTimeout(r, 50)); // the re-evaluation runs after the webhook's answer
    const [rec, ...more] = await deliverabilityRecs();
    expect(more).toEqual([]);
    expect(rec).toMatchObject({ provider: 'esp_main', issueKey: 'deliverability_complaints', severity: 'critical' });
    expect(rec!.issue).toContain('(1 complaint / 20 sent in the last 24 h)');

    expect(await send({ to: 'bulk1@example.com', bulk: true, subject: 'News', text: 'x' })).toBe('esp_backup');
    expect(await send({ to: ['b2@example.com', 'b3@example.com'], separately: true, subject: 'News', text: 'x' })).toBe('esp_backup');
    expect(await send({ to: 'receipt@example.com', subject: 'Receipt', text: 'x' })).toBe('esp_main');

    // 1 complaint in 21 + 40 sends: 1.6 %, under the 2 % warning.
    for (let i = 0; i < 40; i++) await send({ to: `more${i}@example.com`, subject: 'Receipt', text: 'x' });
    await app.inject({ method: 'POST', url: '/v1/self-check', headers: api });
    expect(await deliverabilityRecs()).toEqual([]);
    const resolved = (await app.inject({ method: 'GET', url: '/v1/recommendations?includeResolved=true', headers: api })).json();
    expect(
      resolved.recommendations.find((r: { issueKey: string }) => r.issueKey === 'deliverability_complaints').resolvedAt,
    ).not.toBeNull();
    expect(await send({ to: 'bulk4@example.com', bulk: true, subject: 'News', text: 'x' })).toBe('esp_main');
  });
});
