export type { Store, PruneResult } from './store.js';
export type {
  EventQuery,
  EventRecord,
  HealthCheckRecord,
  HealthQuery,
  ProviderSnapshotRecord,
  RecommendationQuery,
  RecommendationRecord,
  Severity,
} from './records.js';
export { recommendationKey, SEVERITY_RANK } from './records.js';
export { DEFAULT_RETENTION, resolveRetention, type RetentionPolicy } from './retention.js';
export { openStore, retentionOf, DEFAULT_STORE_URL, type OpenStoreOptions } from './open-store.js';
export { MemoryStore } from './memory/memory-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
