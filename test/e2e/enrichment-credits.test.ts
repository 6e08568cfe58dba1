/**
 * Through the chain (issue 5): Apollo is out of credits -> Dropcontact serves, and the
 * monitoring recommendations name the credits problem and the provider serving meanwhile.
 * Real Gateway in live mode against the Apollo and Dropcontact simulators on loopback; the
 * recommendations come from the product's own SelfCheckService over the gateway's store.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { leadEnrichmentResult } from '../../src/capabilities/index.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { SelfCheckService } from '../../src/monitoring/self-check-service.js';
import type { ProviderRecommendation } from '../../src/monitoring/types.js';
import * as apolloSim from '../simulators/apollo.js';
import * as dropcontactSim from '../simulators/dropcontact.js';
import { liveGateway, statusOf, unavailableCode } from './helpers/live-gateway.js';

const lead = { firstName: 'Ada', lastName: 'Lovelace', domain: 'analytical.example' };
const find = (recs: readonly ProviderRecommendation[], provider: string, issueKey: string) =>
  recs.find((r) => r.provider === provider && r.issueKey === issueKey);

describe('e2e: lead_enrichment, Apollo out of credits, Dropcontact serves', () => {
  let apollo: apolloSim.ApolloSim;
  let dropcontact: dropcontactSim.DropcontactSim;
  let gateway: Gateway;
  let service: SelfCheckService;

  beforeAll(async () => {
    apollo = await apolloSim.start();
    dropcontact = await dropcontactSim.start({ readyAfterPolls: 1, retryInSeconds: 0 });
  });
  afterAll(async () => {
    await apollo.close();
    await dropcontact.close();
  });
  beforeEach(async () => {
    apollo.reset();
    dropcontact.reset();
    gateway = await liveGateway({
      lead_enrichment: {
        providers: [
          { name: 'apollo_enrichment', type: 'apollo', options: { apiKey: apollo.apiKey, baseUrl: `${apollo.url}/api/v1` } },
          {
            name: 'dropcontact_enrichment',
            type: 'dropcontact',
            options: { apiKey: dropcontact.apiKey, baseUrl: dropcontact.url, pollIntervalMs: 20 },
          },
        ],
      },
    });
    service = new SelfCheckService({
      registry: new SelfCheckRegistry({ store: gateway.store, clock: gateway.clock }),
      clock: gateway.clock,
      chains: () => gateway.listProviderChains(),
    });
    // Credits run out on enrichment calls only; the probe endpoints cost nothing and still answer.
    apollo.fail('credits', { path: '/people/match' });
  });
  afterEach(async () => {
    await gateway.close();
  });

  it('Apollo answers "insufficient credits": quota, Dropcontact serves with a schema-valid result', async () => {
    const r = await gateway.invoke('lead_enrichment', lead, { idempotencyKey: 'e2e-enrich-1' });
    expect(r.provider).toBe('dropcontact_enrichment');
    expect(r.attempts.map((a) => [a.provider, a.outcome, a.code])).toEqual([
      ['apollo_enrichment', 'quota', 'GW_PROVIDER_QUOTA'],
      ['dropcontact_enrichment', 'success', undefined],
    ]);
    expect(leadEnrichmentResult.safeParse(r.result).success).toBe(true);
    expect(r.result).toMatchObject({ matched: true, organization: { name: 'Analytical Engines' } });
    expect(apollo.requests.map((q) => q.path)).toEqual(['/api/v1/people/match']); // tried once: quota is not retried
    expect(dropcontact.submits()).toBe(1);

    // Quota: unavailable until the reset (no reset time from Apollo: the 1 h default), UNHEALTHY.
    const s = statusOf(gateway, 'apollo_enrichment');
    expect([s.health, s.cooldownKind, s.breakerState]).toEqual(['UNHEALTHY', 'quota', 'closed']);
    expect(s.cooldownUntil).toBeGreaterThanOrEqual(gateway.clock.now() + 59 * 60_000);
    expect(unavailableCode(gateway, 'apollo_enrichment')).toBe('GW_COOLING_DOWN');

    const second = await gateway.invoke('lead_enrichment', { email: 'info@catchall.example' }, { idempotencyKey: 'e2e-enrich-2' });
    expect(second.provider).toBe('dropcontact_enrichment');
    expect(apollo.requests).toHaveLength(1);
  });

  it('live-traffic monitoring: a credits recommendation for Apollo, and the chain names Dropcontact as serving', async () => {
    const dispose = service.syncProviderHealthWithMonitoring();
    try {
      await gateway.invoke('lead_enrichment', lead, { idempotencyKey: 'e2e-enrich-1' });
      const recs = await vi.waitFor(async () => {
        const active = await service.registry.getRecommendations();
        expect(find(active, 'apollo_enrichment', 'quota')).toBeDefined();
        return active;
      });
      const quota = find(recs, 'apollo_enrichment', 'quota')!;
      expect(quota).toMatchObject({ capability: 'lead_enrichment', severity: 'warning', health: 'UNHEALTHY' });
      expect(quota.issue).toMatch(/credits/i);
      expect(quota.issue).toContain('GW_PROVIDER_QUOTA');
      expect(quota.action).toMatch(/credits/i);
      expect(quota.action).toContain('apollo_enrichment');
      // Which provider serves meanwhile: the chain-level rules name it.
      expect(find(recs, '*', 'primary_failing')).toMatchObject({ severity: 'warning' });
      expect(find(recs, '*', 'primary_failing')!.issue).toContain('dropcontact_enrichment');
      expect(find(recs, '*', 'no_redundancy')!.issue).toContain('dropcontact_enrichment');
      expect(recs.filter((r) => r.provider === 'dropcontact_enrichment')).toEqual([]);
    } finally {
      dispose();
    }
  });

  // Fixed (test/e2e/README.md, finding 3): Apollo's probe (usage stats) costs no credits and
  // succeeds, and `currentFailure` in src/monitoring/recommendations/provider-rules.ts returns "no
  // failure" for any successful probe before it looks at the active quota cool-down. The run resolves
  // the credits recommendation (and primary_failing) while Apollo is still UNHEALTHY and unusable for
  // the next hour: the operator loses the one actionable item.
  it('a full self-check run keeps the credits recommendation while Apollo is still out of credits', async () => {
    await gateway.invoke('lead_enrichment', lead, { idempotencyKey: 'e2e-enrich-1' });
    const run = await service.runFullCheck();
    expect(run.results.find((c) => c.provider === 'apollo_enrichment')).toMatchObject({ success: true, health: 'UNHEALTHY' });
    expect(statusOf(gateway, 'apollo_enrichment')).toMatchObject({ health: 'UNHEALTHY', cooldownKind: 'quota' });
    expect(unavailableCode(gateway, 'apollo_enrichment')).toBe('GW_COOLING_DOWN');
    expect(find(run.recommendations, 'apollo_enrichment', 'quota')).toMatchObject({ severity: 'warning' });
  });
});
