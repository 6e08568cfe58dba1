/**
 * Self-healing that tells the truth, end to end (issue 12): real adapters against their
 * simulators or real servers, the product's own SelfCheckService and recommendations, faults
 * switched on and off at the peer. Each case checks the severity, the option path in the
 * action, that the chain keeps serving, and that the recommendation resolves after the fault.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import type { Alert, AlertSink } from '../../src/monitoring/alerts/alert.js';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { SelfCheckService } from '../../src/monitoring/self-check-service.js';
import type { ProviderRecommendation } from '../../src/monitoring/types.js';
import { PASS, plainOptions, USER } from '../providers/smtp/make-smtp.js';
import { startSmtpServer, type TestSmtpServer } from '../providers/smtp/smtp-test-server.js';
import * as airtableSim from '../simulators/airtable.js';
import * as dropcontactSim from '../simulators/dropcontact.js';
import * as linkedinSim from '../simulators/linkedin.js';
import * as receiverSim from '../simulators/webhook-receiver.js';
import { liveGateway, newWebhookSecret, statusOf, unavailableCode, type CapabilitiesInput } from './helpers/live-gateway.js';

const secret = newWebhookSecret();
const hookOptions = (receiver: receiverSim.WebhookReceiver, path: string) => ({
  url: `${receiver.url}${path}`,
  secrets: [secret],
  allowHttp: true,
  allowHosts: ['127.0.0.1'],
});
const event = (n: number) => ({ event: 'lead.created', payload: { n } });

class CollectedAlerts implements AlertSink {
  readonly alerts: Alert[] = [];
  notify(alert: Alert): void {
    this.alerts.push(alert);
  }
  async flush(): Promise<void> {}
  of(provider: string, type: Alert['type']): Alert[] {
    return this.alerts.filter((a) => a.recommendation.provider === provider && a.type === type);
  }
}

interface Rig {
  gateway: Gateway;
  service: SelfCheckService;
  registry: SelfCheckRegistry;
  alerts: CollectedAlerts;
  active: (provider: string, issueKey: string) => Promise<ProviderRecommendation | undefined>;
}

const rigs: Gateway[] = [];
async function rig(capabilities: CapabilitiesInput, clock?: Clock): Promise<Rig> {
  const gateway = await liveGateway(capabilities, clock ? { clock } : {});
  rigs.push(gateway);
  const alerts = new CollectedAlerts();
  const registry = new SelfCheckRegistry({ store: gateway.store, clock: gateway.clock, alerts });
  const service = new SelfCheckService({
    registry,
    clock: gateway.clock,
    chains: () => gateway.listProviderChains(),
    backlog: () => gateway.outboxBacklog(),
  });
  const active = async (provider: string, issueKey: string) =>
    (await registry.getRecommendations({ provider })).find((r) => r.issueKey === issueKey);
  return { gateway, service, registry, alerts, active };
}

afterEach(async () => {
  vi.useRealTimers();
  for (const g of rigs.splice(0)) await g.close();
});

describe('e2e: webhooks', () => {
  let primary: receiverSim.WebhookReceiver;
  let backup: receiverSim.WebhookReceiver;
  beforeAll(async () => {
    primary = await receiverSim.start({ secrets: [secret] });
    backup = await receiverSim.start({ secrets: [secret] });
  });
  afterAll(async () => {
    await primary.close();
    await backup.close();
  });
  const chain = (extra: Record<string, unknown> = {}): CapabilitiesInput => ({
    webhook_dispatch: {
      retry: { maxAttemptsPerProvider: 1 },
      providers: [
        { name: 'hook_primary', type: 'webhook', options: hookOptions(primary, '/hooks/a'), ...extra },
        { name: 'hook_backup', type: 'webhook', options: hookOptions(backup, '/hooks/b') },
      ],
    },
  });

  it('410 Gone: fails over, UNHEALTHY, a critical recommendation naming the url option; resolves once fixed', async () => {
    primary.reset();
    backup.reset();
    const { gateway, service, active } = await rig(chain());
    primary.fail('gone');
    for (let i = 0; i < 3; i++) expect((await gateway.invoke('webhook_dispatch', event(i))).provider).toBe('hook_backup');
    expect(primary.requests).toHaveLength(1); // held after the first 410: not called again
    expect(statusOf(gateway, 'hook_primary')).toMatchObject({
      health: 'UNHEALTHY',
      breakerState: 'open',
      lastError: { code: 'GW_PROVIDER_GONE', kind: 'misconfigured' },
    });
    await service.runFullCheck();
    const rec = (await active('hook_primary', 'misconfigured'))!;
    expect(rec.severity).toBe('critical');
    expect(rec.action).toContain('capabilities.webhook_dispatch.providers[0].options.url');
    expect(rec.action).toContain('aicmo-gateway provider reset hook_primary');
    // The endpoint is back: the probe readmits, the next real call decides, the recommendation resolves.
    primary.reset();
    await service.runFullCheck();
    expect((await gateway.invoke('webhook_dispatch', event(9))).provider).toBe('hook_primary');
    await service.runFullCheck();
    expect(await active('hook_primary', 'misconfigured')).toBeUndefined();
    expect(statusOf(gateway, 'hook_primary')).toMatchObject({ health: 'HEALTHY', breakerState: 'closed' });
  });

  it('a primary failing for an hour while the backup serves and its probe passes: one opening, not healthy, one resolution after', async () => {
    primary.reset();
    backup.reset();
    // An hour passes on the wall clock (Date only: sockets and timers stay real), so the receiver's
    // Standard Webhooks timestamp check sees the same time as the gateway.
    vi.useFakeTimers({ toFake: ['Date'] });
    const clock = { advance: async (ms: number) => void vi.setSystemTime(Date.now() + ms) };
    const { gateway, service, registry, alerts, active } = await rig(chain());
    primary.fail('unavailable');
    const overall: string[] = [];
    for (let minute = 0; minute < 60; minute++) {
      for (let i = 0; i < 3; i++) expect((await gateway.invoke('webhook_dispatch', event(i))).provider).toBe('hook_backup');
      const run = await service.runFullCheck();
      expect(run.results.find((r) => r.provider === 'hook_primary')!.success).toBe(true); // the probe passes all along
      overall.push(
        (await registry.getStatusReport({ chains: gateway.listProviderChains().map((c) => c.getStatusReport()) })).summary.overall,
      );
      await clock.advance(60_000);
    }
    expect(overall).not.toContain('healthy'); // never "healthy" while the primary fails
    expect(overall.at(-1)).toBe('critical');
    expect(alerts.of('hook_primary', 'recommendation.opened')).toHaveLength(1);
    expect(alerts.of('hook_primary', 'recommendation.resolved')).toHaveLength(0);
    expect(
      alerts
        .of('*', 'recommendation.opened')
        .map((a) => a.recommendation.issueKey)
        .sort(),
    ).toEqual(['no_redundancy', 'primary_failing']);
    expect((await active('hook_primary', 'transient'))!.issue).toMatch(/^Outage suspected since /);

    primary.reset(); // the fault ends
    for (let minute = 0; minute < 12; minute++) {
      await gateway.invoke('webhook_dispatch', event(minute));
      await service.runFullCheck();
      await clock.advance(60_000);
    }
    expect((await gateway.invoke('webhook_dispatch', event(99))).provider).toBe('hook_primary');
    expect(alerts.of('hook_primary', 'recommendation.opened')).toHaveLength(1);
    expect(alerts.of('hook_primary', 'recommendation.resolved')).toHaveLength(1);
    expect(await active('hook_primary', 'transient')).toBeUndefined();
    vi.useRealTimers();
  });

  it('a slow primary against a configured 1 s threshold: demoted, a slow warning naming the threshold; back in place when fast again', async () => {
    primary.reset();
    backup.reset();
    const { gateway, service, active } = await rig(chain({ breaker: { slowCallMs: 1_000, minimumCalls: 100, trialIntervalMs: 300 } }));
    primary.fail('slow', { delayMs: 1_200 });
    expect((await gateway.invoke('webhook_dispatch', event(1))).provider).toBe('hook_primary'); // 1.2 s: slow
    expect(statusOf(gateway, 'hook_primary').health).toBe('DEGRADED');
    expect((await gateway.invoke('webhook_dispatch', event(2))).provider).toBe('hook_backup');
    await service.runFullCheck();
    const slow = (await active('hook_primary', 'slow'))!;
    expect(slow.severity).toBe('warning');
    expect(slow.issue).toContain('over the 1000 ms threshold');
    primary.reset(); // fast again
    await new Promise((r) => setTimeout(r, 350));
    expect((await gateway.invoke('webhook_dispatch', event(3))).provider).toBe('hook_primary'); // the recovery trial
    expect((await gateway.invoke('webhook_dispatch', event(4))).provider).toBe('hook_primary');
    await service.runFullCheck();
    expect(await active('hook_primary', 'slow')).toBeUndefined();
  });
});

describe('e2e: provider configuration faults', () => {
  let airtable: airtableSim.AirtableSim;
  let linkedin: linkedinSim.LinkedinSim;
  let receiver: receiverSim.WebhookReceiver;
  beforeAll(async () => {
    airtable = await airtableSim.start();
    linkedin = await linkedinSim.start();
    receiver = await receiverSim.start({ secrets: [secret] });
  });
  afterAll(async () => {
    await airtable.close();
    await linkedin.close();
    await receiver.close();
  });

  it('Airtable 403 on the base: the webhook serves, the capability is not [OK], a critical recommendation names baseId; resolves once access is back', async () => {
    airtable.reset();
    const { gateway, service, registry, active } = await rig({
      crm_sync: {
        retry: { maxAttemptsPerProvider: 1 },
        providers: [
          {
            name: 'airtable_sync',
            type: 'airtable',
            options: { apiToken: airtable.token, baseId: airtable.baseId, table: 'Contacts', baseUrl: airtable.url },
          },
          { name: 'crm_webhook', type: 'crm_webhook', options: hookOptions(receiver, '/crm') },
        ],
      },
    });
    const sync = (email: string) => gateway.invoke('crm_sync', { mergeOn: ['Email'], records: [{ fields: { Email: email } }] });
    airtable.fail('forbidden'); // the token lost its access to the base
    expect((await sync('ada@example.com')).provider).toBe('crm_webhook');
    const check = await service.runFullCheck();
    expect(check.results.find((c) => c.provider === 'airtable_sync')).toMatchObject({ success: false, error: { kind: 'misconfigured' } });
    const rec = (await active('airtable_sync', 'misconfigured'))!;
    expect(rec.severity).toBe('critical');
    expect(rec.action).toContain('capabilities.crm_sync.providers[0].options.baseId');
    const report = await registry.getStatusReport({ chains: gateway.listProviderChains().map((c) => c.getStatusReport()) });
    expect(report.capabilities.find((c) => c.capability === 'crm_sync')!.status).not.toBe('ok');
    expect(report.summary.overall).toBe('critical');
    // Access restored: the probe readmits, the next sync goes to Airtable, and the recommendation resolves.
    airtable.reset();
    await service.runFullCheck();
    expect((await sync('grace@example.com')).provider).toBe('airtable_sync');
    await service.runFullCheck();
    expect(await active('airtable_sync', 'misconfigured')).toBeUndefined();
  });

  it('LinkedIn 426 (version retired): the backup posts, the action names the version option, not the token; resolves once the version is active', async () => {
    linkedin.reset();
    const { gateway, service, active } = await rig({
      social_posting_linkedin: {
        retry: { maxAttemptsPerProvider: 1 },
        providers: [
          {
            name: 'linkedin_main',
            type: 'linkedin',
            options: { accessToken: linkedin.token, baseUrl: linkedin.url, author: `urn:li:person:${linkedin.memberSub}` },
          },
          { name: 'social_hook', type: 'social_webhook', options: hookOptions(receiver, '/social') },
        ],
      },
    });
    linkedin.fail('retired_version', { path: '/rest/posts' });
    const r = await gateway.invoke('social_posting_linkedin', { text: 'Launch day' });
    expect(r.provider).toBe('social_hook');
    expect(r.attempts[0]).toMatchObject({ provider: 'linkedin_main', outcome: 'misconfigured', code: 'GW_PROVIDER_VERSION_RETIRED' });
    await service.runFullCheck(); // the probe checks the version too, and fails the same way
    expect(await active('linkedin_main', 'auth')).toBeUndefined();
    const rec = (await active('linkedin_main', 'misconfigured'))!;
    expect(rec.severity).toBe('critical');
    expect(rec.action).toContain('capabilities.social_posting_linkedin.providers[0].options.version');
    expect(linkedin.posts.size).toBe(0);
    linkedin.reset(); // the version is active again (updated, then reloaded)
    await service.runFullCheck();
    expect((await gateway.invoke('social_posting_linkedin', { text: 'Launch day, take two' })).provider).toBe('linkedin_main');
    await service.runFullCheck();
    expect(await active('linkedin_main', 'misconfigured')).toBeUndefined();
  });

  it('Dropcontact out of credits, then refilled: a quota warning while empty; the probe that sees credits readmits it at once', async () => {
    const dropcontact = await dropcontactSim.start({ readyAfterPolls: 1, credits: 0, retryInSeconds: 0 });
    try {
      const { gateway, service, active } = await rig({
        lead_enrichment: {
          retry: { maxAttemptsPerProvider: 1 },
          providers: [
            {
              name: 'dropcontact_enrichment',
              type: 'dropcontact',
              options: { apiKey: dropcontact.apiKey, baseUrl: dropcontact.url, pollIntervalMs: 20 },
            },
          ],
        },
      });
      const lead = { email: 'ada@analytical.example' };
      await expect(gateway.invoke('lead_enrichment', lead)).rejects.toMatchObject({ kind: 'quota' });
      expect(unavailableCode(gateway, 'dropcontact_enrichment')).toBe('GW_COOLING_DOWN');
      await service.runFullCheck();
      expect((await active('dropcontact_enrichment', 'quota'))!.severity).toBe('warning');
      // Still empty: a read fails fast without calling Dropcontact, with the time it comes back.
      const submits = dropcontact.submits();
      await expect(gateway.invoke('lead_enrichment', lead)).rejects.toMatchObject({
        code: 'GW_NO_USABLE_PROVIDER',
        retryAfterMs: expect.any(Number),
      });
      expect(dropcontact.submits()).toBe(submits);

      dropcontact.credits = 500; // refilled
      await service.runFullCheck();
      expect(unavailableCode(gateway, 'dropcontact_enrichment')).toBeNull();
      expect(await active('dropcontact_enrichment', 'quota')).toBeUndefined();
      expect((await gateway.invoke('lead_enrichment', lead)).provider).toBe('dropcontact_enrichment');
    } finally {
      await dropcontact.close();
    }
  });

  it('credentials missing in live mode: the provider is excluded, the backup serves, the action names the option and the unset variable', async () => {
    const { gateway, service, active } = await rig({
      crm_sync: {
        providers: [
          {
            name: 'airtable_sync',
            type: 'airtable',
            options: { apiToken: '${AIRTABLE_TOKEN_NOT_SET_IN_TEST}', baseId: airtable.baseId, table: 'Contacts', baseUrl: airtable.url },
          },
          { name: 'crm_webhook', type: 'crm_webhook', options: hookOptions(receiver, '/crm') },
        ],
      },
    });
    expect((await gateway.invoke('crm_sync', { mergeOn: ['Email'], records: [{ fields: { Email: 'b@example.com' } }] })).provider).toBe(
      'crm_webhook',
    );
    expect(statusOf(gateway, 'airtable_sync')).toMatchObject({ health: 'UNKNOWN', configured: false });
    await service.runFullCheck();
    const rec = (await active('airtable_sync', 'not_configured'))!;
    expect(rec.severity).toBe('warning');
    expect(
      rec.action.startsWith('Set capabilities.crm_sync.providers[0].options.apiToken (${AIRTABLE_TOKEN_NOT_SET_IN_TEST} is not set)'),
    ).toBe(true);
  });
});

describe('e2e: SMTP faults through the chain', () => {
  let primary: TestSmtpServer;
  let fallback: TestSmtpServer;
  beforeAll(async () => {
    primary = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    fallback = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
  });
  afterAll(async () => {
    await primary.close();
    await fallback.close();
  });
  const smtpChain = (): CapabilitiesInput => ({
    email_sending: {
      retry: { maxAttemptsPerProvider: 1 },
      providers: [
        { name: 'smtp_primary', type: 'smtp', options: { ...plainOptions(primary.port) }, limits: { attemptTimeoutMs: 600 } },
        { name: 'smtp_fallback', type: 'smtp', options: { ...plainOptions(fallback.port) } },
      ],
    },
  });
  const mail = (n: number) => ({ to: 'lead@example.com', subject: `Hello ${n}`, text: `Message ${n}` });
  const reset = () => {
    for (const s of [primary, fallback]) {
      s.behaviour = {};
      s.received.length = 0;
    }
  };

  it('a server that never greets: the adapter says nothing was sent, so the fallback delivers (not an unknown outcome)', async () => {
    reset();
    const { gateway } = await rig(smtpChain());
    primary.behaviour = { hangAtConnect: true };
    const r = await gateway.invoke('email_sending', mail(1));
    expect(r.provider).toBe('smtp_fallback');
    expect(r.attempts[0]).toMatchObject({ provider: 'smtp_primary', outcome: 'timeout', code: 'GW_PROVIDER_TIMEOUT' });
    expect(fallback.received).toHaveLength(1);
  });

  it('535: the fallback delivers, a critical auth recommendation names auth.pass; after the fix a probe readmits and a send resolves it', async () => {
    reset();
    const { gateway, service, active } = await rig(smtpChain());
    primary.behaviour = { auth: { code: 535, message: '5.7.8 Authentication credentials invalid' } };
    expect((await gateway.invoke('email_sending', mail(1))).provider).toBe('smtp_fallback');
    expect((await gateway.invoke('email_sending', mail(2))).provider).toBe('smtp_fallback');
    expect(primary.received).toHaveLength(0);
    await service.runFullCheck();
    const rec = (await active('smtp_primary', 'auth'))!;
    expect(rec.severity).toBe('critical');
    expect(rec.action).toContain('capabilities.email_sending.providers[0].options.auth.pass');
    primary.behaviour = {};
    await service.runFullCheck();
    expect((await gateway.invoke('email_sending', mail(3))).provider).toBe('smtp_primary');
    await service.runFullCheck();
    expect(await active('smtp_primary', 'auth')).toBeUndefined();
  });

  it('421 at the greeting with a named wait: rate limited, the fallback delivers, the primary is not contacted until the wait ends', async () => {
    reset();
    const { gateway, service, active } = await rig(smtpChain());
    primary.behaviour = { connect: { code: 421, message: '4.7.0 Too many connections, try again in 120 seconds' } };
    expect((await gateway.invoke('email_sending', mail(1))).provider).toBe('smtp_fallback');
    const connections = primary.received.length;
    expect((await gateway.invoke('email_sending', mail(2))).attempts[0]).toMatchObject({
      provider: 'smtp_primary',
      outcome: 'skipped',
      code: 'GW_COOLING_DOWN',
    });
    expect(primary.received.length).toBe(connections);
    expect(statusOf(gateway, 'smtp_primary')).toMatchObject({ health: 'DEGRADED', cooldownKind: 'rate_limited' });
    await service.runFullCheck();
    expect((await active('smtp_primary', 'rate_limited'))!.severity).toBe('warning');
  });
});
