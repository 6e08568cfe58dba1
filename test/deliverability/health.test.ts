/**
 * Deliverability health from the hourly counts: rates only once enough was sent, warning and
 * critical at the thresholds, old hours out of the window, and the recommendations' words.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { DeliverabilityHealth, type Thresholds } from '../../src/deliverability/health.js';
import { MemoryMailEventLog } from '../../src/store/mail-data.js';

const T: Thresholds = {
  windowHours: 24,
  minSent: 100,
  complaintWarning: 0.001,
  complaintCritical: 0.003,
  hardBounceWarning: 0.02,
  hardBounceCritical: 0.05,
};
const HOUR = 3_600_000;

async function setup(sent: number, events: Partial<Record<'complaint' | 'hard_bounce', number>>, ageHours = 0) {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12));
  const log = new MemoryMailEventLog();
  const at = clock.now() - ageHours * HOUR;
  await log.countSent('esp', sent, at);
  let id = 0;
  for (const [type, n] of Object.entries(events))
    for (let i = 0; i < n; i++)
      await log.append({ provider: 'esp', eventId: `e${id++}`, type: type as 'complaint', address: `a${i}@x.io`, at, receivedAt: at });
  return { health: new DeliverabilityHealth(log, T, clock), clock };
}

describe('deliverability health', () => {
  it('judges nothing below minSent', async () => {
    const { health } = await setup(99, { complaint: 50 });
    const [p] = (await health.report()).providers;
    expect(p).toMatchObject({ complaintRate: null, complaint: 'ok', counts: { sent: 99, complaint: 50 } });
    expect(await health.recommendations()).toEqual([]);
  });

  it('complaints: 0.1 % is a warning, 0.3 % critical and demoted for bulk mail; the words name figures, window and what to check', async () => {
    const warn = await setup(10_000, { complaint: 10 });
    expect((await warn.health.report()).providers[0]).toMatchObject({ complaintRate: 0.001, complaint: 'warning' });
    expect(await warn.health.demotedForBulk()).toEqual([]);
    const crit = await setup(10_000, { complaint: 30, hard_bounce: 100 });
    const [rec, ...more] = await crit.health.recommendations();
    expect(more).toEqual([]);
    expect(rec).toMatchObject({ provider: 'esp', issueKey: 'deliverability_complaints', severity: 'critical' });
    expect(rec!.issue).toBe(
      'Complaint rate of esp is 0.30 % (30 complaints / 10000 sent in the last 24 h), at or above the critical threshold of 0.30 %; mailbox providers send mail of a sender above 0.3 % to spam.',
    );
    expect(rec!.action).toMatch(/^Bulk mail tries esp last until the rate falls \(transactional mail continues\)\. .*SPF, DKIM and DMARC/);
    expect(await crit.health.demotedForBulk()).toEqual(['esp']);
  });

  it('hard bounces: 2 % warning, 5 % critical; hours older than the window do not count', async () => {
    expect((await (await setup(1_000, { hard_bounce: 20 })).health.report()).providers[0]!.hardBounce).toBe('warning');
    const crit = await setup(1_000, { hard_bounce: 50 });
    expect((await crit.health.recommendations()).map((r) => [r.issueKey, r.severity])).toEqual([
      ['deliverability_hard_bounces', 'critical'],
    ]);
    const old = await setup(1_000, { hard_bounce: 50 }, 30);
    expect((await old.health.report()).providers).toEqual([]);
  });
});
