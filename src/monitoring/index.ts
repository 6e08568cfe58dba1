/** The monitoring folder's exports (re-exported by `aicmo-gateway/monitoring`, src/api/monitoring.ts). */
export type {
  CapabilityReport,
  HealthCheckResult,
  Overall,
  ProviderMetrics,
  ProviderRecommendation,
  ProviderReport,
  RecommendationInput,
  Severity,
  StatusReport,
} from './types.js';
export {
  healthSnapshots,
  type ChainStatusLike,
  type HealthChangeEventLike,
  type MonitoredChain,
  type MonitoredProvider,
  type ProbeOutcomeLike,
} from './sources.js';
export { SelfCheckRegistry, type SelfCheckRegistryOptions, type RecordedRecommendation } from './self-check-registry.js';
export { SelfCheckService, type SelfCheckServiceOptions, type FullCheckResult, type FullCheckProgress } from './self-check-service.js';
export { AlertNotifier, type AlertNotifierOptions } from './alerts/alert-notifier.js';
export { signAlert } from './alerts/channels.js';
export type { Alert, AlertType, AlertSink } from './alerts/alert.js';
export type { AlertChannelConfig } from './alerts/channels.js';
export { aggregateChecks } from './metrics.js';
export { CHAIN_PROVIDER } from './recommendations/chain-rules.js';
