/**
 * The factory: turns the validated config into chains of tracked providers. In dry run every
 * provider becomes a sandbox of the same name; in live mode each gets its real adapter, or a
 * stand-in that reports `not_configured` when required settings are missing.
 */
import { getCapability, parseRequest, type CapabilityName } from '../capabilities/index.js';
import { ProviderChain, type ChainOptions, type RequestGuard } from '../core/chain.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { RateLimiter } from '../core/limits.js';
import type { Logger } from '../core/logger.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_CHAIN,
  DEFAULT_COOLDOWN,
  DEFAULT_HEALTH,
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  withDefaults,
  type ChainPolicy,
  type ProviderLimits,
} from '../core/policy.js';
import type { Provider } from '../core/provider.js';
import { TrackedProvider } from '../core/tracked-provider.js';
import { describeOption, providerVariables } from '../config/load.js';
import { resolveProviderOptions } from '../config/provider-options.js';
import { getProviderType } from '../providers/index.js';
import type { CapabilityConfig, GatewayConfig, ProviderEntry } from '../config/schema.js';
import { sandboxOptions } from '../providers/sandbox/options.js';
import { SandboxProvider, type SandboxRecord } from '../providers/sandbox/sandbox-provider.js';
import type { ProviderDeps } from '../providers/types.js';

export interface BuildContext {
  config: GatewayConfig;
  dryRun: boolean;
  clock: Clock;
  logger: Logger;
  deps: (provider: string) => ProviderDeps;
  onSandboxDelivery?: (record: SandboxRecord) => void;
  /** A limiter shared between instances (Redis) for providers with a rate limit. */
  rateLimiterFor?: (provider: string, limits: ProviderLimits) => RateLimiter | undefined;
  /** What runs around every invocation of a capability's chain (email_sending: the suppression list). */
  guardFor?: (capability: CapabilityName) => RequestGuard | undefined;
}

export interface BuiltAdapter {
  adapter: Provider;
  configured: boolean;
  missing: string[];
  hints: Readonly<Record<string, string>>;
  defaults: Partial<ProviderLimits>;
}

export function buildAdapter(entry: ProviderEntry, capability: string, ctx: BuildContext, basePath = entry.name): BuiltAdapter {
  if (ctx.dryRun) {
    const adapter = new SandboxProvider(entry.name, sandboxOptions.parse(entry.sandbox ?? {}), ctx.clock, ctx.onSandboxDelivery);
    // The type's own advice, except for transient faults, which are the sandbox's injected ones.
    const typeHints = (getProviderType(entry.type)?.hints ?? {}) as Readonly<Record<string, string>>;
    const hints = { ...typeHints, transient: 'Dry run: this is an injected sandbox fault (capabilities.*.providers[].sandbox).' };
    return { adapter, configured: true, missing: [], hints, defaults: {} };
  }
  const r = resolveProviderOptions(entry, capability, basePath, true, providerVariables(entry).unset);
  const def = r.definition!;
  const hints = def.hints as Readonly<Record<string, string>>;
  const defaults: Partial<ProviderLimits> = {};
  if (def.defaults?.ratePerSecond) defaults.ratePerSecond = def.defaults.ratePerSecond;
  if (def.defaults?.burst) defaults.burst = def.defaults.burst;
  if (def.defaults?.concurrency) defaults.concurrency = def.defaults.concurrency;
  if (def.defaults?.attemptTimeoutMs) defaults.attemptTimeoutMs = def.defaults.attemptTimeoutMs;
  if (!r.configured) return { adapter: notConfigured(entry, r.missing), configured: false, missing: r.missing, hints, defaults };
  return { adapter: def.create(entry.name, r.options, ctx.deps(entry.name)), configured: true, missing: [], hints, defaults };
}

export function chainPolicy(cap: CapabilityConfig, config: GatewayConfig): ChainPolicy {
  return {
    ...DEFAULT_CHAIN,
    strategy: cap.strategy,
    panic: cap.panic,
    overflow: cap.overflow,
    deadlineMs: cap.deadlineMs ?? DEFAULT_CHAIN.deadlineMs,
    latencyTolerance: cap.latencyTolerance,
    failoverOnUnknownOutcome: cap.failoverOnUnknownOutcome,
    hedging: cap.hedging,
    retry: withDefaults(withDefaults(DEFAULT_RETRY, config.defaults.retry), cap.retry),
  };
}

export function buildChain(
  capability: CapabilityName,
  cap: CapabilityConfig,
  ctx: BuildContext,
): { chain: ProviderChain; adapters: BuiltAdapter[] } {
  const definition = getCapability(capability)!;
  const { config, clock } = ctx;
  const health = withDefaults(DEFAULT_HEALTH, config.defaults.health);
  const cooldown = withDefaults(DEFAULT_COOLDOWN, config.defaults.cooldown);
  const capBreaker = withDefaults(withDefaults(DEFAULT_BREAKER, config.defaults.breaker), cap.breaker);
  const adapters: BuiltAdapter[] = [];
  const providers = cap.providers
    .map((entry, i) => ({ entry, i }))
    .filter(({ entry }) => entry.enabled)
    .map(({ entry, i }) => {
      const built = buildAdapter(entry, capability, ctx, `capabilities.${capability}.providers[${i}]`);
      adapters.push(built);
      const limits: ProviderLimits = { ...DEFAULT_LIMITS, ...built.defaults, ...config.defaults.limits, ...entry.limits };
      const opts: ConstructorParameters<typeof TrackedProvider>[1] = {
        capability,
        type: entry.type,
        sideEffects: definition.sideEffects,
        clock,
        breaker: withDefaults(capBreaker, entry.breaker),
        health,
        cooldown,
        limits,
        configured: built.configured,
        weight: entry.weight,
        hints: built.hints,
        logger: ctx.logger,
      };
      const shared = limits.ratePerSecond > 0 ? ctx.rateLimiterFor?.(entry.name, limits) : undefined;
      if (shared) opts.rateLimiter = shared;
      const { variables } = providerVariables(entry);
      if (Object.keys(variables).length) opts.optionVariables = variables;
      if (built.missing.length)
        opts.missingSetting = built.missing
          .map((m) => `capabilities.${capability}.providers[${i}].${describeOption(m, variables)}`)
          .join(', ');
      return new TrackedProvider(built.adapter, opts);
    });
  if (providers.length === 0) {
    throw new GatewayError('GW_CONFIG_INVALID', `capabilities.${capability}: every provider is disabled`, {
      details: { problems: [{ path: `capabilities.${capability}.providers`, message: 'every provider is disabled' }] },
    });
  }
  const options: ChainOptions = {
    capability,
    sideEffects: definition.sideEffects,
    providers,
    policy: chainPolicy(cap, config),
    clock,
    logger: ctx.logger,
    validate: (request) => parseRequest(definition, request),
  };
  const guard = ctx.guardFor?.(capability);
  const chain = new ProviderChain(guard ? { ...options, guard } : options);
  return { chain, adapters };
}

function notConfigured(entry: ProviderEntry, missing: string[]): Provider {
  return {
    name: entry.name,
    type: entry.type,
    async invoke() {
      throw new GatewayError(
        'GW_NOT_CONFIGURED',
        `${entry.name} is not configured: missing ${missing.map((m) => `options.${m}`).join(', ')}`,
        { provider: entry.name },
      );
    },
  };
}
