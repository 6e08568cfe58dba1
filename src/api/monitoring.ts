/**
 * `aicmo-gateway/monitoring`: the pieces behind `gateway.monitoring`, for callers that monitor
 * chains of their own or read the store another process writes: the self-check registry and
 * service, the alert notifier, the recommendation and report types, and the stores.
 */
export * from '../monitoring/index.js';
export { GatewayMonitoring, type GatewayMonitoringOptions } from '../gateway/monitoring.js';
export * from '../store/index.js';
export { RedisStore, type RedisStoreOptions } from '../store/redis/redis-store.js';
