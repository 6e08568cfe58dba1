/**
 * Deliverability health per provider: over a sliding window (`thresholds.windowHours`), the
 * copies it sent and the hard bounces, complaints and other events reported for its mail, from
 * the store's hourly counts (so every instance sees the same figures). Once a provider sent
 * `minSent` copies in the window its complaint rate (complaints / sent) and hard-bounce rate
 * (hard bounces / sent) are judged against the thresholds (Gmail: spam rate under 0.1 %, never
 * 0.3 %; SES reviews an account at 5 % bounces). A provider at a critical rate is tried last by
 * bulk mail (transactional mail may continue), and each rate over a threshold is a
 * recommendation that names the figures, the window and what to check.
 */
import type { DeliverabilityConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Severity } from '../store/records.js';
import { MAIL_EVENT_TYPES, type MailEventLog, type MailEventType, type MailStatsBucket } from '../store/mail-data.js';

export type Thresholds = DeliverabilityConfig['thresholds'];
type Level = 'ok' | 'warning' | 'critical';

interface ProviderDeliverability {
  provider: string;
  counts: Record<MailEventType, number>;
  /** Complaints per copy sent; null below `minSent` (too few to judge). */
  complaintRate: number | null;
  hardBounceRate: number | null;
  complaint: Level;
  hardBounce: Level;
}

export interface DeliverabilityReport {
  at: number;
  windowHours: number;
  thresholds: Thresholds;
  providers: ProviderDeliverability[];
  /** Hourly counts of the last 24 hours (the dashboard's charts), oldest first. */
  hourly: MailStatsBucket[];
}

/** What the monitoring rules need to open or resolve a recommendation. */
export interface DeliverabilityRecommendation {
  provider: string;
  issueKey: 'deliverability_complaints' | 'deliverability_hard_bounces';
  severity: Exclude<Severity, 'info'>;
  issue: string;
  action: string;
}

const HOUR_MS = 3_600_000;

const emptyCounts = (): Record<MailEventType, number> =>
  Object.fromEntries(MAIL_EVENT_TYPES.map((t) => [t, 0])) as Record<MailEventType, number>;

const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

const percent = (rate: number): string => `${(rate * 100).toFixed(rate < 0.01 ? 2 : 1)} %`;

function level(rate: number | null, warning: number, critical: number): Level {
  if (rate === null) return 'ok';
  if (rate >= critical) return 'critical';
  return rate >= warning ? 'warning' : 'ok';
}

export class DeliverabilityHealth {
  constructor(
    private readonly events: MailEventLog,
    private readonly thresholds: Thresholds,
    private readonly clock: Clock,
  ) {}

  /** The figures now, from the store's hourly counts (one query: cheap next to a send). */
  async report(): Promise<DeliverabilityReport> {
    const now = this.clock.now();
    const t = this.thresholds;
    const since = now - Math.max(t.windowHours, 24) * HOUR_MS;
    const buckets = await this.events.stats(since);
    const windowStart = now - t.windowHours * HOUR_MS;
    const byProvider = new Map<string, Record<MailEventType, number>>();
    for (const b of buckets) {
      // An hour counts when any of it lies in the window.
      if (b.hour + HOUR_MS <= windowStart) continue;
      let counts = byProvider.get(b.provider);
      if (!counts) byProvider.set(b.provider, (counts = emptyCounts()));
      for (const [type, n] of Object.entries(b.counts)) counts[type as MailEventType] += n ?? 0;
    }
    const providers = [...byProvider.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([provider, counts]): ProviderDeliverability => {
        const judged = counts.sent >= t.minSent;
        const complaintRate = judged ? counts.complaint / counts.sent : null;
        const hardBounceRate = judged ? counts.hard_bounce / counts.sent : null;
        return {
          provider,
          counts,
          complaintRate,
          hardBounceRate,
          complaint: level(complaintRate, t.complaintWarning, t.complaintCritical),
          hardBounce: level(hardBounceRate, t.hardBounceWarning, t.hardBounceCritical),
        };
      });
    return {
      at: now,
      windowHours: t.windowHours,
      thresholds: t,
      providers,
      hourly: buckets.filter((b) => b.hour + HOUR_MS > now - 24 * HOUR_MS),
    };
  }

  /** Providers bulk mail should try last: a rate at or above its critical threshold. */
  async demotedForBulk(): Promise<string[]> {
    return (await this.report()).providers.filter((p) => p.complaint === 'critical' || p.hardBounce === 'critical').map((p) => p.provider);
  }

  async recommendations(): Promise<DeliverabilityRecommendation[]> {
    const r = await this.report();
    const t = r.thresholds;
    const out: DeliverabilityRecommendation[] = [];
    const window = `the last ${r.windowHours} h`;
    for (const p of r.providers) {
      const demoted = p.complaint === 'critical' || p.hardBounce === 'critical';
      const consequence = demoted ? `Bulk mail tries ${p.provider} last until the rate falls (transactional mail continues). ` : '';
      if (p.complaint !== 'ok' && p.complaintRate !== null) {
        const limit = p.complaint === 'critical' ? t.complaintCritical : t.complaintWarning;
        out.push({
          provider: p.provider,
          issueKey: 'deliverability_complaints',
          severity: p.complaint,
          issue: `Complaint rate of ${p.provider} is ${percent(p.complaintRate)} (${count(p.counts.complaint, 'complaint')} / ${p.counts.sent} sent in ${window}), at or above the ${p.complaint} threshold of ${percent(limit)}; mailbox providers send mail of a sender above 0.3 % to spam.`,
          action: `${consequence}Send only to people who asked for this mail (confirmed opt-in; drop purchased and long-unengaged addresses), make unsubscribing one click (deliverability.unsubscribe), check that SPF, DKIM and DMARC pass for the sending domain, and read the complaint and reputation pages of ${p.provider}'s dashboard.`,
        });
      }
      if (p.hardBounce !== 'ok' && p.hardBounceRate !== null) {
        const limit = p.hardBounce === 'critical' ? t.hardBounceCritical : t.hardBounceWarning;
        out.push({
          provider: p.provider,
          issueKey: 'deliverability_hard_bounces',
          severity: p.hardBounce,
          issue: `Hard-bounce rate of ${p.provider} is ${percent(p.hardBounceRate)} (${count(p.counts.hard_bounce, 'hard bounce')} / ${p.counts.sent} sent in ${window}), at or above the ${p.hardBounce} threshold of ${percent(limit)}.`,
          action: `${consequence}Clean the list before the next campaign (verify addresses with email_verification, remove old and imported ones; bounced addresses are already suppressed), check where the addresses come from (a signup form without confirmation collects typos), and read the bounce page of ${p.provider}'s dashboard.`,
        });
      }
    }
    return out;
  }
}
