/** The critical recommendation that names a dead-lettered delivery, and its resolution on retry. */
import type { RecommendationRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DeliveryRecord } from './outbox.js';

export type RecommendationSink = Pick<Store, 'upsertRecommendation' | 'getRecommendation'>;

function deadLetterIssueKey(id: string): string {
  return `outbox_dead:${id}`;
}

export async function recommendDeadLetter(store: RecommendationSink, rec: DeliveryRecord, now: number, reason: string): Promise<void> {
  const last = rec.lastError ? `; last error ${rec.lastError.code} (${rec.lastError.kind})` : '';
  const r: RecommendationRecord = {
    provider: '*',
    capability: rec.capability,
    issueKey: deadLetterIssueKey(rec.id),
    severity: 'critical',
    health: 'UNHEALTHY',
    issue: `Delivery ${rec.id} (idempotency key ${rec.idempotencyKey}) was dead-lettered: ${reason} after ${rec.attempts} attempt(s)${last}. It was NOT delivered.`,
    action: `Make a provider of ${rec.capability} work again, then run \`aicmo-gateway outbox retry ${rec.id}\`; or drop it with \`aicmo-gateway outbox purge --id ${rec.id}\`.`,
    firstSeen: now,
    lastSeen: now,
    occurrences: 1,
    resolvedAt: null,
  };
  await store.upsertRecommendation(r);
}

export async function recommendUnknownOutcome(store: RecommendationSink, rec: DeliveryRecord, now: number): Promise<void> {
  await store.upsertRecommendation({
    provider: '*',
    capability: rec.capability,
    issueKey: `outbox_unknown:${rec.id}`,
    severity: 'warning',
    health: 'DEGRADED',
    issue: `Delivery ${rec.id} (idempotency key ${rec.idempotencyKey}) may or may not have been delivered: the provider call did not report an outcome.`,
    action: `Check at the provider, then run \`aicmo-gateway outbox resolve ${rec.idempotencyKey} --delivered\` or \`--not-delivered\` (which delivers it again).`,
    firstSeen: now,
    lastSeen: now,
    occurrences: 1,
    resolvedAt: null,
  });
}

/** Marks the delivery's recommendations resolved (operator retried, resolved or purged it). */
export async function resolveDeliveryRecommendations(
  store: RecommendationSink,
  rec: Pick<DeliveryRecord, 'id' | 'capability'>,
  now: number,
): Promise<void> {
  for (const issueKey of [deadLetterIssueKey(rec.id), `outbox_unknown:${rec.id}`]) {
    const r = await store.getRecommendation('*', rec.capability, issueKey);
    if (r && r.resolvedAt === null) await store.upsertRecommendation({ ...r, resolvedAt: now, lastSeen: now });
  }
}
