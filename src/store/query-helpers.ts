/** Filtering and ordering shared by the in-process implementations and tests. */
import { SEVERITY_RANK, type HealthCheckRecord, type HealthQuery, type RecommendationQuery, type RecommendationRecord } from './records.js';

const DEFAULT_QUERY_LIMIT = 100;

export function matchesHealth(c: HealthCheckRecord, q: Omit<HealthQuery, 'limit'>): boolean {
  if (q.provider !== undefined && c.provider !== q.provider) return false;
  if (q.capability !== undefined && c.capability !== q.capability) return false;
  if (q.since !== undefined && c.timestamp < q.since) return false;
  return true;
}

export function matchesRecommendation(r: RecommendationRecord, q: RecommendationQuery): boolean {
  if (!q.includeResolved && r.resolvedAt !== null) return false;
  if (q.severity !== undefined && r.severity !== q.severity) return false;
  if (q.provider !== undefined && r.provider !== q.provider) return false;
  if (q.capability !== undefined && r.capability !== q.capability) return false;
  return true;
}

/** Active before resolved, most severe first, then most recently seen, then key. */
export function compareRecommendations(a: RecommendationRecord, b: RecommendationRecord): number {
  const active = Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null);
  if (active !== 0) return active;
  const sev = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (sev !== 0) return sev;
  if (a.lastSeen !== b.lastSeen) return b.lastSeen - a.lastSeen;
  return `${a.capability}/${a.provider}/${a.issueKey}`.localeCompare(`${b.capability}/${b.provider}/${b.issueKey}`);
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_QUERY_LIMIT;
  return Math.max(0, Math.floor(limit));
}
