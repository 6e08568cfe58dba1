/**
 * The shared Store conformance suite. Every implementation (memory, SQLite, later Redis)
 * calls `storeConformance(label, setup)` with a factory for a fresh, empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { HealthCheckRecord, RecommendationRecord } from '../../src/store/records.js';
import type { RetentionPolicy } from '../../src/store/retention.js';
import type { Store } from '../../src/store/store.js';

export interface StoreSetup {
  /** A fresh, empty store using the given clock and retention. */
  open(opts: { clock: ManualClock; retention?: Partial<RetentionPolicy> }): Promise<Store>;
  /** Reopens the same data (a new connection / process view); omit for stores that do not persist. */
  reopen?(opts: { clock: ManualClock }): Promise<Store>;
}

const T0 = 1_700_000_000_000;

function check(over: Partial<HealthCheckRecord> = {}): HealthCheckRecord {
  return { provider: 'p1', capability: 'email_sending', timestamp: T0, success: true, latencyMs: 10, source: 'probe', ...over };
}

function rec(over: Partial<RecommendationRecord> = {}): RecommendationRecord {
  return {
    provider: 'p1',
    capability: 'email_sending',
    issueKey: 'auth',
    severity: 'critical',
    health: 'UNHEALTHY',
    issue: 'Credentials refused',
    action: 'Check SMTP_PASS',
    firstSeen: T0,
    lastSeen: T0,
    occurrences: 1,
    resolvedAt: null,
    ...over,
  };
}

export function storeConformance(label: string, setup: StoreSetup): void {
  describe(`Store conformance: ${label}`, () => {
    const opened: Store[] = [];
    let clock: ManualClock;
    const open = async (retention?: Partial<RetentionPolicy>): Promise<Store> => {
      clock = new ManualClock(T0);
      const s = await setup.open(retention ? { clock, retention } : { clock });
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('appends health checks and returns them newest first, filtered and limited', async () => {
      const s = await open();
      await s.appendHealthChecks([
        check({ timestamp: T0 + 1, provider: 'a' }),
        check({ timestamp: T0 + 3, provider: 'b', capability: 'crm_sync', success: false }),
        check({ timestamp: T0 + 2, provider: 'a', error: { code: 'GW_PROVIDER_AUTH', kind: 'auth', message: 'refused' } }),
      ]);
      const all = await s.queryHealthChecks();
      expect(all.map((c) => c.timestamp)).toEqual([T0 + 3, T0 + 2, T0 + 1]);
      expect(all[1]!.error).toEqual({ code: 'GW_PROVIDER_AUTH', kind: 'auth', message: 'refused' });
      expect((await s.queryHealthChecks({ provider: 'a' })).map((c) => c.timestamp)).toEqual([T0 + 2, T0 + 1]);
      expect((await s.queryHealthChecks({ capability: 'crm_sync' })).map((c) => c.provider)).toEqual(['b']);
      expect(await s.queryHealthChecks({ limit: 1 })).toHaveLength(1);
      expect(await s.queryHealthChecks({ since: T0 + 2 })).toHaveLength(2);
      expect(await s.countHealthChecks()).toBe(3);
      expect(await s.countHealthChecks({ provider: 'a' })).toBe(2);
    });

    it('returned records are copies', async () => {
      const s = await open();
      await s.appendHealthChecks([check({ metadata: { n: 1 } })]);
      const [first] = await s.queryHealthChecks();
      first!.metadata!.n = 2;
      expect((await s.queryHealthChecks())[0]!.metadata).toEqual({ n: 1 });
    });

    it('upserts recommendations by (provider, capability, issue) and filters them', async () => {
      const s = await open();
      await s.upsertRecommendation(rec());
      await s.upsertRecommendation(rec({ occurrences: 2, lastSeen: T0 + 5 }));
      await s.upsertRecommendation(rec({ provider: 'p2', issueKey: 'slow', severity: 'warning', health: 'DEGRADED' }));
      await s.upsertRecommendation(rec({ provider: 'p3', issueKey: 'no_probe', severity: 'info', resolvedAt: T0 + 9 }));
      expect(await s.getRecommendation('p1', 'email_sending', 'auth')).toMatchObject({ occurrences: 2, lastSeen: T0 + 5 });
      expect(await s.getRecommendation('p1', 'email_sending', 'nope')).toBeUndefined();
      const active = await s.queryRecommendations();
      expect(active.map((r) => r.provider)).toEqual(['p1', 'p2']);
      expect((await s.queryRecommendations({ severity: 'warning' })).map((r) => r.provider)).toEqual(['p2']);
      const all = await s.queryRecommendations({ includeResolved: true });
      expect(all.map((r) => r.provider)).toEqual(['p1', 'p2', 'p3']);
      expect(all[2]!.resolvedAt).toBe(T0 + 9);
    });

    it('saves and loads provider snapshots, replacing per (provider, capability)', async () => {
      const s = await open();
      await s.saveSnapshots([
        { provider: 'a', capability: 'x', savedAt: T0, snapshot: { breaker: 'open', n: 1 } },
        { provider: 'b', capability: 'x', savedAt: T0, snapshot: null },
      ]);
      await s.saveSnapshots([{ provider: 'a', capability: 'x', savedAt: T0 + 1, snapshot: { breaker: 'closed', n: 2 } }]);
      const all = (await s.loadSnapshots()).sort((p, q) => p.provider.localeCompare(q.provider));
      expect(all).toEqual([
        { provider: 'a', capability: 'x', savedAt: T0 + 1, snapshot: { breaker: 'closed', n: 2 } },
        { provider: 'b', capability: 'x', savedAt: T0, snapshot: null },
      ]);
    });

    it('keeps an event trail newest first with ids', async () => {
      const s = await open();
      const id1 = await s.appendEvent({ at: T0, type: 'admin_action', actor: 'cli', provider: 'a', message: 'isolate' });
      const id2 = await s.appendEvent({
        at: T0 + 1,
        type: 'health_transition',
        provider: 'b',
        message: 'HEALTHY -> UNHEALTHY',
        data: { to: 'UNHEALTHY' },
      });
      expect(id2).toBeGreaterThan(id1);
      const all = await s.queryEvents();
      expect(all.map((e) => e.id)).toEqual([id2, id1]);
      expect(all[0]!.data).toEqual({ to: 'UNHEALTHY' });
      expect(all[1]!.actor).toBe('cli');
      expect((await s.queryEvents({ type: 'admin_action' })).map((e) => e.message)).toEqual(['isolate']);
      expect(await s.queryEvents({ provider: 'b', limit: 5 })).toHaveLength(1);
    });

    it('gives each provider its own key-value state', async () => {
      const s = await open();
      const a = s.providerState('a');
      await a.set('cursor', { uid: 42 });
      await s.providerState('b').set('cursor', 7);
      expect(await a.get('cursor')).toEqual({ uid: 42 });
      expect(await s.providerState('b').get('cursor')).toBe(7);
      await a.delete('cursor');
      expect(await a.get('cursor')).toBeUndefined();
    });

    it('records sent mail and finds it by Message-ID or subject', async () => {
      const s = await open();
      const log = s.sentMail();
      await log.record({ messageId: 'one@x', subject: 'Hello', provider: 'smtp', sentAt: T0, to: ['a@b.c'] });
      await log.record({ messageId: '<two@x>', subject: 'Hello', provider: 'smtp', sentAt: T0 + 1 });
      expect((await log.findAny(['<nope@x>', '<one@x>']))?.to).toEqual(['a@b.c']);
      expect((await log.findAny(['two@x']))?.messageId).toBe('<two@x>');
      expect((await log.findBySubject('Re: hello'))?.messageId).toBe('<two@x>');
      expect(await log.findBySubject('other')).toBeUndefined();
    });

    it('keeps a suppression list: case-insensitive, replace on add, page in address order, filter by reason', async () => {
      const s = await open();
      const list = s.suppressions();
      expect(await list.add({ address: 'Bob@Example.com', reason: 'hard_bounce', source: 'sg', at: T0, detail: '5.1.1' })).toBe(true);
      expect(await list.add({ address: 'bob@example.com', reason: 'complaint', source: 'sg', at: T0 + 1 })).toBe(false);
      await list.add({ address: 'ada@example.com', reason: 'unsubscribe', source: 'unsubscribe', at: T0 });
      await list.add({ address: 'cy@example.com', reason: 'manual', source: 'api', at: T0 });
      expect(await list.count()).toBe(3);
      expect((await list.lookup(['BOB@example.com', 'nobody@example.com'])).map((e) => [e.address, e.reason])).toEqual([
        ['bob@example.com', 'complaint'],
      ]);
      expect((await list.list({ limit: 2 })).map((e) => e.address)).toEqual(['ada@example.com', 'bob@example.com']);
      expect((await list.list({ after: 'bob@example.com' })).map((e) => e.address)).toEqual(['cy@example.com']);
      expect((await list.list({ reason: 'manual' })).map((e) => e.address)).toEqual(['cy@example.com']);
      expect(await list.remove('ADA@example.com')).toBe(true);
      expect(await list.remove('ada@example.com')).toBe(false);
      expect(await list.lookup(['ada@example.com'])).toEqual([]);
    });

    it('counts soft bounces per address within a window', async () => {
      const s = await open();
      const list = s.suppressions();
      expect(await list.softBounce('a@x.io', T0, T0 - 100)).toBe(1);
      expect(await list.softBounce('A@x.io', T0 + 10, T0 - 100)).toBe(2);
      expect(await list.softBounce('a@x.io', T0 + 500, T0 + 5)).toBe(2);
      expect(await list.softBounce('b@x.io', T0, T0)).toBe(1);
    });

    it('stores mail events once per provider event id, finds them by key or message id, counts them per hour', async () => {
      const s = await open();
      const log = s.mailEvents();
      const base = { provider: 'sg', type: 'hard_bounce' as const, address: 'A@x.io', at: T0, receivedAt: T0 };
      expect(await log.append({ ...base, eventId: 'e1', gatewayKey: 'k1', messageId: '<m1@x>' })).toBe(true);
      expect(await log.append({ ...base, eventId: 'e1', gatewayKey: 'k1' })).toBe(false);
      expect(await log.append({ ...base, provider: 'pm', eventId: 'e1', messageId: 'm2@x', type: 'delivered' })).toBe(true);
      expect(await log.append({ ...base, eventId: 'e2', type: 'complaint', at: T0 + 3_600_000 })).toBe(true);
      await log.countSent('sg', 40, T0);
      await log.countSent('sg', 2, T0 + 10);
      expect((await log.forMessage({ gatewayKeys: ['k1'] })).map((e) => [e.eventId, e.address])).toEqual([['e1', 'a@x.io']]);
      expect((await log.forMessage({ messageIds: ['m1@x', '<m2@x>'] })).map((e) => e.provider).sort()).toEqual(['pm', 'sg']);
      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      const stats = await log.stats(T0 - 1);
      expect(stats.map((b) => [b.provider, b.hour - hour, b.counts]).sort()).toEqual(
        [
          ['pm', 0, { delivered: 1 }],
          ['sg', 0, { hard_bounce: 1, sent: 42 }],
          ['sg', 3_600_000, { complaint: 1 }],
        ].sort(),
      );
      expect((await log.stats(T0 + 3_600_000)).map((b) => b.provider)).toEqual(['sg']);
    });

    it('prunes mail events and their counts after the sent-mail age', async () => {
      const s = await open({ sentMailMaxAgeMs: 1_000 });
      await s.mailEvents().append({
        provider: 'sg',
        eventId: 'old',
        type: 'delivered',
        address: 'a@x.io',
        at: T0 - 7_200_000,
        receivedAt: T0,
        gatewayKey: 'k',
      });
      await clock.advance(7_200_000);
      await s.mailEvents().append({
        provider: 'sg',
        eventId: 'new',
        type: 'delivered',
        address: 'a@x.io',
        at: clock.now(),
        receivedAt: clock.now(),
        gatewayKey: 'k',
      });
      const pruned = await s.prune();
      expect(pruned.mailEvents).toBe(1);
      expect((await s.mailEvents().forMessage({ gatewayKeys: ['k'] })).map((e) => e.eventId)).toEqual(['new']);
      expect((await s.mailEvents().stats(0)).map((b) => b.counts)).toEqual([{ delivered: 1 }]);
    });

    it('bounds history by count', async () => {
      const s = await open({ historyMaxCount: 5, pruneEveryWrites: 1 });
      for (let i = 0; i < 12; i++) await s.appendHealthChecks([check({ timestamp: T0 + i })]);
      await s.prune();
      const kept = await s.queryHealthChecks({ limit: 100 });
      expect(kept.map((c) => c.timestamp)).toEqual([11, 10, 9, 8, 7].map((i) => T0 + i));
    });

    it('bounds history, events and resolved recommendations by age', async () => {
      const s = await open({ historyMaxAgeMs: 1_000 });
      await s.appendHealthChecks([check({ timestamp: T0 }), check({ timestamp: T0 + 1_500 })]);
      await s.appendEvent({ at: T0, type: 'alert', message: 'old' });
      await s.upsertRecommendation(rec({ resolvedAt: T0 }));
      await s.upsertRecommendation(rec({ issueKey: 'slow', resolvedAt: null }));
      await clock.advance(2_000);
      const pruned = await s.prune();
      expect(pruned.healthChecks).toBe(1);
      expect(pruned.events).toBe(1);
      expect(pruned.recommendations).toBe(1);
      expect(await s.countHealthChecks()).toBe(1);
      expect((await s.queryRecommendations({ includeResolved: true })).map((r) => r.issueKey)).toEqual(['slow']);
    });

    it('prunes on write without an explicit prune call', async () => {
      const s = await open({ historyMaxCount: 10, pruneEveryWrites: 5 });
      for (let i = 0; i < 40; i++) await s.appendHealthChecks([check({ timestamp: T0 + i })]);
      expect(await s.countHealthChecks()).toBeLessThanOrEqual(15);
    });

    it('clearHistory drops checks, events and recommendations but keeps snapshots and state', async () => {
      const s = await open();
      await s.appendHealthChecks([check()]);
      await s.appendEvent({ at: T0, type: 'alert', message: 'x' });
      await s.upsertRecommendation(rec());
      await s.saveSnapshots([{ provider: 'a', capability: 'x', savedAt: T0, snapshot: 1 }]);
      await s.providerState('a').set('k', 1);
      await s.clearHistory();
      expect(await s.countHealthChecks()).toBe(0);
      expect(await s.queryEvents()).toEqual([]);
      expect(await s.queryRecommendations({ includeResolved: true })).toEqual([]);
      expect(await s.loadSnapshots()).toHaveLength(1);
      expect(await s.providerState('a').get('k')).toBe(1);
    });

    if (!setup.reopen)
      console.log(
        `skip: Store conformance: ${label}: "persists everything across a reopen": this store keeps nothing across a reopen (no reopen() given)`,
      );
    it.skipIf(!setup.reopen)('persists everything across a reopen', async () => {
      const s = await open();
      await s.appendHealthChecks([check({ success: false })]);
      await s.upsertRecommendation(rec());
      await s.saveSnapshots([{ provider: 'a', capability: 'x', savedAt: T0, snapshot: { open: true } }]);
      await s.providerState('a').set('k', 'v');
      await s.sentMail().record({ messageId: 'm@x', provider: 'a', sentAt: T0 });
      await s.suppressions().add({ address: 'gone@x.io', reason: 'hard_bounce', source: 'a', at: T0 });
      await s
        .mailEvents()
        .append({ provider: 'a', eventId: 'e', type: 'delivered', address: 'b@x.io', at: T0, receivedAt: T0, gatewayKey: 'k' });
      await s.close();
      const again = await setup.reopen!({ clock });
      opened.push(again);
      expect((await again.queryHealthChecks())[0]!.success).toBe(false);
      expect(await again.queryRecommendations()).toHaveLength(1);
      expect((await again.loadSnapshots())[0]!.snapshot).toEqual({ open: true });
      expect(await again.providerState('a').get('k')).toBe('v');
      expect(await again.sentMail().findAny(['m@x'])).toBeDefined();
      expect(await again.suppressions().count()).toBe(1);
      expect(await again.mailEvents().forMessage({ gatewayKeys: ['k'] })).toHaveLength(1);
    });
  });
}
