export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { parseRedisUrl, openRedis, type RedisTarget } from './redis-connection.js';
export { HealthHints, type HealthHint, type HealthHintsOptions } from './health-hints.js';
export { SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';
export { LeaderLease, type LeaderLeaseOptions } from './leader-lease.js';
