/**
 * The critical recommendation that names a dead-lettered delivery, and its resolution on retry.
 * A job's items are counted in one recommendation per job and outcome, not one each: a
 * 10,000-item job during a long outage is one alert, not 10,000.
 */
import type { RecommendationRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DeliveryRecord } from './outbox.js';

export type RecommendationSink = Pick<Store, 'upsertRecommendation' | 'getRecommendation'>;

function deadLetterIssueKey(id: string): string {
  return `outbox_dead:${id}`;
}

/** One recommendation per job and outcome, its count of items growing with each one. */
async function recommendForJob(
  store: RecommendationSink,
  rec: DeliveryRecord & { job: NonNullable<DeliveryRecord['job']> },
  now: number,
  what: 'dead' | 'unknown',
): Promise<void> {
  const issueKey = `job_${what}:${rec.job.id}`;
  const before = await store.getRecommendation('*', rec.capability, issueKey);
  const items = (before && before.resolvedAt === null ? before.occurrences : 0) + rec.job.items;
  const last = rec.lastError ? ` Last error ${rec.lastError.code} (${rec.lastError.kind}).` : '';
  const dead = what === 'dead';
  await store.upsertRecommendation({
    provider: '*',
    capability: rec.capability,
    issueKey,
    severity: dead ? 'critical' : 'warning',
    health: dead ? 'UNHEALTHY' : 'DEGRADED',
    issue: dead
      ? `${items} item(s) of job ${rec.job.id} were dead-lettered (maximum age reached) and were NOT delivered.${last}`
      : `${items} item(s) of job ${rec.job.id} may or may not have been delivered: the provider call did not report an outcome.`,
    action: dead
      ? `Make a provider of ${rec.capability} work again, then list the items with \`aicmo-gateway job results ${rec.job.id} --failures\` and submit them again (or retry each delivery with \`aicmo-gateway outbox retry <id>\`).`
      : `List them with \`aicmo-gateway job results ${rec.job.id} --failures\`, check at the provider, then \`aicmo-gateway outbox resolve <key> --delivered\` or \`--not-delivered\` for each.`,
    firstSeen: before && before.resolvedAt === null ? before.firstSeen : now,
    lastSeen: now,
    occurrences: items,
    resolvedAt: null,
  });
}

export async function recommendDeadLetter(store: RecommendationSink, rec: DeliveryRecord, now: number, reason: string): Promise<void> {
  if (rec.job) return recommendForJob(store, { ...rec, job: rec.job }, now, 'dead');
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
  if (rec.job) return recommendForJob(store, { ...rec, job: rec.job }, now, 'unknown');
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
