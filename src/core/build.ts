/** Convenience constructors: a chain from adapters and partial policies (the Gateway uses the same pieces). */
import { ProviderChain } from './chain.js';
import { systemClock, type Clock } from './clock.js';
import type { Logger } from './logger.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_CHAIN,
  DEFAULT_COOLDOWN,
  DEFAULT_HEALTH,
  DEFAULT_LIMITS,
  withDefaults,
  type BreakerPolicy,
  type ChainPolicy,
  type CooldownPolicy,
  type DeepPartial,
  type HealthPolicy,
  type ProviderLimits,
} from './policy.js';
import type { Provider } from './provider.js';
import { TrackedProvider } from './tracked-provider.js';

export interface ProviderSpec {
  adapter: Provider;
  limits?: Partial<ProviderLimits>;
  breaker?: DeepPartial<BreakerPolicy>;
  weight?: number;
  configured?: boolean;
  missingSetting?: string;
  hints?: Readonly<Record<string, string>>;
}

export interface CreateChainOptions {
  capability: string;
  sideEffects: boolean;
  providers: readonly (Provider | ProviderSpec)[];
  policy?: DeepPartial<ChainPolicy>;
  breaker?: DeepPartial<BreakerPolicy>;
  health?: DeepPartial<HealthPolicy>;
  cooldown?: DeepPartial<CooldownPolicy>;
  limits?: Partial<ProviderLimits>;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Checks a request before any provider sees it (e.g. `(r) => parseRequest(emailSending, r)`). */
  validate?: (request: unknown) => unknown;
}

export function createProviderChain(options: CreateChainOptions): ProviderChain {
  const clock = options.clock ?? systemClock;
  const health = withDefaults(DEFAULT_HEALTH, options.health);
  const cooldown = withDefaults(DEFAULT_COOLDOWN, options.cooldown);
  const providers = options.providers.map((entry) => {
    const spec: ProviderSpec = 'invoke' in entry ? { adapter: entry } : entry;
    const o: ConstructorParameters<typeof TrackedProvider>[1] = {
      capability: options.capability,
      sideEffects: options.sideEffects,
      clock,
      breaker: withDefaults(withDefaults(DEFAULT_BREAKER, options.breaker), spec.breaker),
      health,
      cooldown,
      limits: { ...DEFAULT_LIMITS, ...options.limits, ...spec.limits },
    };
    if (spec.configured !== undefined) o.configured = spec.configured;
    if (spec.missingSetting !== undefined) o.missingSetting = spec.missingSetting;
    if (spec.weight !== undefined) o.weight = spec.weight;
    if (spec.hints !== undefined) o.hints = spec.hints;
    if (options.random) o.random = options.random;
    if (options.logger) o.logger = options.logger;
    return new TrackedProvider(spec.adapter, o);
  });
  const chainOpts: ConstructorParameters<typeof ProviderChain>[0] = {
    capability: options.capability,
    sideEffects: options.sideEffects,
    providers,
    policy: withDefaults(DEFAULT_CHAIN, options.policy),
    clock,
  };
  if (options.logger) chainOpts.logger = options.logger;
  if (options.random) chainOpts.random = options.random;
  if (options.validate) chainOpts.validate = options.validate;
  return new ProviderChain(chainOpts);
}
