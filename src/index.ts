/**
 * The public API of aicmo-gateway: the Gateway, its errors, the provider contract, standalone
 * chains, the capability schemas and the types a caller needs. Advanced pieces are behind
 * `aicmo-gateway/monitoring` (self-check registry and service, alerts, stores) and
 * `aicmo-gateway/testing` (ManualClock, the sandbox provider).
 */
export { Gateway, type GatewayOptions, type AdminAction } from './gateway.js';

// Errors and results
export {
  GatewayError,
  ERROR_CODES,
  FAILURE_KINDS,
  isGatewayError,
  type ErrorCode,
  type FailureKind,
  type GatewayErrorJSON,
} from './core/errors.js';
export { InvocationError, AllProvidersFailedError, type AttemptRecord, type InvokeOptions, type InvokeResult } from './core/invocation.js';
export type { Submission, SubmitOptions } from './delivery/delivery-service.js';
export type { DeliveryRecord, DeliveryState } from './delivery/outbox.js';

// The provider contract (custom provider types)
export type { Provider, InvokeContext, ProbeContext, ProbeResult } from './core/provider.js';
export {
  defineProviderType,
  type ProviderTypeDefinition,
  type ProviderDeps,
  type ProviderState,
  type SentMailLog,
  type RecommendationHints,
} from './providers/types.js';
export { getProviderType, listProviderTypes } from './providers/index.js';

// Standalone chains and their health
export { createProviderChain, type CreateChainOptions, type ProviderSpec } from './core/build.js';
export type { ProviderChain, ChainStatusReport, AttemptEvent, FailoverEvent, ExhaustedEvent } from './core/chain.js';
export type { TrackedProvider, HealthChangeEvent, BreakerChangeEvent, ProbeOutcome } from './core/tracked-provider.js';
export { ProviderHealth, type BreakerState, type ProviderStatusJSON } from './core/health.js';
export type {
  BreakerPolicy,
  ChainPolicy,
  CooldownPolicy,
  HealthPolicy,
  OrderingStrategy,
  PanicRule,
  ProviderLimits,
  RetryPolicy,
} from './core/policy.js';
export type { Logger } from './core/logger.js';
export type { Clock } from './core/clock.js';
export type { Disposer } from './core/events.js';

// Capabilities and config
export * from './capabilities/index.js';
export {
  loadConfig,
  validateConfig,
  redactConfig,
  BUNDLED_CONFIG,
  type GatewayConfig,
  type GatewayConfigInput,
  type CapabilityConfig,
  type ProviderEntry,
} from './config/index.js';
