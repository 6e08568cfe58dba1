/**
 * Mail events in: each event a receiver verified (or a bounce message read over IMAP) is stored
 * once (a provider's retry of the same event id changes nothing), counted for the provider's
 * rates, and applied to the suppression list:
 * - a hard bounce, a complaint or an unsubscribe suppresses the address at once;
 * - a soft bounce suppresses it only after `softBounceLimit` of them within the window (a full
 *   mailbox today may be read tomorrow);
 * - everything else (delivered, deferred, dropped, opens, clicks) is stored and counted only.
 *   `dropped` is the ESP refusing to send to an address it already suppressed: it is not a new
 *   bounce and does not count towards the bounce rate.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { IncomingMailEvent, MailEventLog, MailEventRecord, SuppressionList, SuppressionReason } from '../store/mail-data.js';

/** An event as a receiver parsed it; the intake adds the provider and the time received. */
export type ParsedMailEvent = IncomingMailEvent;

export interface IngestSummary {
  received: number;
  /** Stored for the first time. */
  applied: number;
  /** Seen before (same provider event id): not applied again. */
  duplicates: number;
  /** Addresses this batch put on the suppression list. */
  suppressed: string[];
}

export interface MailEventIntakeOptions {
  suppressions: SuppressionList;
  events: MailEventLog;
  clock: Clock;
  logger: Logger;
  softBounceLimit: number;
  softBounceWindowMs: number;
}

const SUPPRESSING: Partial<Record<MailEventRecord['type'], SuppressionReason>> = {
  hard_bounce: 'hard_bounce',
  complaint: 'complaint',
  unsubscribe: 'unsubscribe',
};

export class MailEventIntake {
  constructor(private readonly o: MailEventIntakeOptions) {}

  async ingest(provider: string, events: readonly ParsedMailEvent[]): Promise<IngestSummary> {
    const summary: IngestSummary = { received: events.length, applied: 0, duplicates: 0, suppressed: [] };
    const receivedAt = this.o.clock.now();
    for (const e of events) {
      if (!(await this.o.events.append({ ...e, provider, receivedAt }))) {
        summary.duplicates++;
        continue;
      }
      summary.applied++;
      const reason = await this.suppressionReason(e);
      if (!reason) continue;
      const added = await this.o.suppressions.add({
        address: e.address,
        reason,
        source: provider,
        at: e.at,
        ...(e.detail !== undefined ? { detail: e.detail.slice(0, 300) } : {}),
      });
      if (added) summary.suppressed.push(e.address.toLowerCase());
    }
    if (summary.suppressed.length)
      this.o.logger.info({ provider, suppressed: summary.suppressed.length }, 'mail events added addresses to the suppression list');
    return summary;
  }

  private async suppressionReason(e: ParsedMailEvent): Promise<SuppressionReason | undefined> {
    const direct = SUPPRESSING[e.type];
    if (direct) return direct;
    if (e.type !== 'soft_bounce') return undefined;
    const count = await this.o.suppressions.softBounce(e.address, e.at, e.at - this.o.softBounceWindowMs);
    return count >= this.o.softBounceLimit ? 'soft_bounce' : undefined;
  }
}
