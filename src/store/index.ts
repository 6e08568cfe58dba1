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
export { createStore, DEFAULT_STORE_URL, type CreateStoreOptions } from './create-store.js';
export { MemoryStore } from './memory/memory-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
