export * from './errors.js';
export * from './events.js';
export * from './clock.js';
export * from './logger.js';
export * from './provider.js';
export * from './health.js';
export * from './policy.js';
export * from './invocation.js';
export { TrackedProvider } from './tracked-provider.js';
export type {
  TrackedProviderOptions,
  TrackedProviderSnapshot,
  HealthChangeEvent,
  BreakerChangeEvent,
  ProbeOutcome,
  Unavailable,
  AttemptResult,
} from './tracked-provider.js';
export { ProviderChain } from './chain.js';
export type { ChainOptions, ChainStatusReport, ChainSnapshot, AttemptEvent, FailoverEvent, ExhaustedEvent } from './chain.js';
export { ChainRegistry, registerProviderChain, getProviderChain, listProviderChains, getDefaultChainRegistry } from './registry.js';
export { createProviderChain } from './build.js';
export type { CreateChainOptions, ProviderSpec } from './build.js';
export { CircuitBreaker } from './breaker.js';
export type { BreakerSnapshot } from './breaker.js';
export { RollingWindow } from './window.js';
export { TokenBucket, ConcurrencyLimiter } from './limits.js';
export type { RateLimiter } from './limits.js';
