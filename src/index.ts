/**
 * The public API of aicmo-gateway. Internals (window, attempt timer, adapters' helpers) stay out.
 */
export { Gateway, type GatewayOptions, type AdminAction } from './gateway.js';

// Engine
export {
  GatewayError,
  ERROR_CODES,
  FAILURE_KINDS,
  isGatewayError,
  type ErrorCode,
  type FailureKind,
  type GatewayErrorJSON,
  type GatewayErrorOptions,
} from './core/errors.js';
export { InvocationError, AllProvidersFailedError, type AttemptRecord, type InvokeOptions, type InvokeResult } from './core/invocation.js';
export { ProviderHealth, ProviderStatus, type BreakerState, type ProviderStatusJSON, type LastError } from './core/health.js';
export type { Provider, InvokeContext, ProbeContext, ProbeResult } from './core/provider.js';
export { silentLogger, type Logger } from './core/logger.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export type { Disposer } from './core/events.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_CHAIN,
  DEFAULT_COOLDOWN,
  DEFAULT_HEALTH,
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  type BreakerPolicy,
  type ChainPolicy,
  type CooldownPolicy,
  type HealthPolicy,
  type OrderingStrategy,
  type PanicRule,
  type ProviderLimits,
  type RetryPolicy,
} from './core/policy.js';
export { TrackedProvider, type TrackedProviderSnapshot, type HealthChangeEvent, type BreakerChangeEvent, type ProbeOutcome } from './core/tracked-provider.js';
export { ProviderChain, type ChainStatusReport, type ChainSnapshot, type AttemptEvent, type FailoverEvent, type ExhaustedEvent } from './core/chain.js';
export { ChainRegistry, registerProviderChain, getProviderChain, listProviderChains } from './core/registry.js';
export { createProviderChain, type CreateChainOptions, type ProviderSpec } from './core/build.js';

// Capabilities, config, providers
export * from './capabilities/index.js';
export {
  loadConfig,
  validateConfig,
  redactConfig,
  getProviderChainConfig,
  listCapabilities,
  getDefaultProvider,
  BUNDLED_CONFIG,
  type GatewayConfig,
  type GatewayConfigInput,
  type CapabilityConfig,
  type ProviderEntry,
} from './config/index.js';
export { PROVIDER_TYPES, getProviderType, listProviderTypes } from './providers/index.js';
export { defineProviderType, type ProviderTypeDefinition, type ProviderDeps, type ProviderState, type SentMailLog, type RecommendationHints } from './providers/types.js';
export { SandboxProvider, type SandboxRecord, type SandboxOptionsInput } from './providers/sandbox/index.js';

// Store, delivery and monitoring
export { createStore, type Store } from './store/index.js';
export { RedisStore } from './store/redis/index.js';
export { DeliveryService, type Submission, type SubmitOptions, type DeliveryRecord } from './delivery/index.js';
export * from './monitoring/index.js';
