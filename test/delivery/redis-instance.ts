/**
 * One gateway instance of the multi-instance run, in-process but sharing nothing with the other
 * instances except Redis: its own gateway (Redis store), chains whose primary uses the shared
 * rate limiter, health hints, a leader lease gating its periodic self-checks, and the Redis
 * delivery stack (ledger + BullMQ outbox + worker). Sandbox calls and deliveries are reported
 * to the test through callbacks.
 */
import { getCapability } from '../../src/capabilities/index.js';
import { ProviderChain } from '../../src/core/chain.js';
import { systemClock } from '../../src/core/clock.js';
import { DEFAULT_BREAKER, DEFAULT_COOLDOWN, DEFAULT_HEALTH, DEFAULT_LIMITS, withDefaults } from '../../src/core/policy.js';
import type { InvokeContext, Provider } from '../../src/core/provider.js';
import { TrackedProvider } from '../../src/core/tracked-provider.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { createRedisDelivery } from '../../src/delivery/redis-delivery.js';
import type { DeliveryStack } from '../../src/delivery/delivery-stack.js';
import { ChainRegistry } from '../../src/core/registry.js';
import { chainPolicy } from '../../src/gateway/build-chains.js';
import { Gateway } from '../../src/gateway.js';
import { sandboxOptions } from '../../src/providers/sandbox/options.js';
import { SandboxProvider, type SandboxRecord } from '../../src/providers/sandbox/sandbox-provider.js';
import { HealthHints } from '../../src/store/redis/health-hints.js';
import { LeaderLease } from '../../src/store/redis/leader-lease.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { SharedRateLimiter } from '../../src/store/redis/shared-rate-limiter.js';

export interface InstanceHooks {
  onCall: (provider: string, at: number) => void;
  onDeliver: (record: SandboxRecord) => void;
  onSelfCheck: (instance: string, at: number) => void;
}

export interface Instance {
  name: string;
  gateway: Gateway;
  stack: DeliveryStack;
  hints: HealthHints;
  lease: LeaderLease;
  close(): Promise<void>;
}

/** Counts every call that reaches the sandbox (for the rate-limit check), then delegates. */
function counted(inner: SandboxProvider, onCall: InstanceHooks['onCall']): Provider {
  return {
    name: inner.name,
    type: inner.type,
    deduplicates: inner.deduplicates,
    invoke: (request: unknown, ctx: InvokeContext) => {
      onCall(inner.name, Date.now());
      return inner.invoke(request, ctx);
    },
    probe: (ctx) => inner.probe(ctx),
  };
}

export async function startInstance(
  name: string,
  url: string,
  config: GatewayConfig,
  sharedRate: Record<string, number>,
  hooks: InstanceHooks,
): Promise<Instance> {
  const store = new RedisStore(url);
  const gateway = await Gateway.create({ config, store, snapshotIntervalMs: 0 });
  const capability = 'webhook_dispatch';
  const cap = config.capabilities.webhook_dispatch!;
  const providers = cap.providers.map((entry) => {
    const sandbox = new SandboxProvider(entry.name, sandboxOptions.parse(entry.sandbox ?? {}), systemClock, hooks.onDeliver);
    const opts: ConstructorParameters<typeof TrackedProvider>[1] = {
      capability,
      sideEffects: true,
      clock: systemClock,
      breaker: withDefaults(withDefaults(DEFAULT_BREAKER, config.defaults.breaker), cap.breaker),
      health: DEFAULT_HEALTH,
      cooldown: DEFAULT_COOLDOWN,
      limits: { ...DEFAULT_LIMITS, ...entry.limits },
    };
    const rate = sharedRate[entry.name];
    if (rate)
      opts.rateLimiter = new SharedRateLimiter({
        redis: store.redis,
        prefix: store.target.prefix,
        provider: entry.name,
        ratePerSecond: rate,
      });
    return new TrackedProvider(counted(sandbox, hooks.onCall), opts);
  });
  const chain = new ProviderChain({
    capability,
    sideEffects: getCapability(capability)!.sideEffects,
    providers,
    policy: chainPolicy(cap, config),
    clock: systemClock,
  });
  gateway.registerProviderChain(chain);
  const hints = new HealthHints({ redis: store.redis, prefix: store.target.prefix, maxHintMs: 2_000 });
  await hints.start();
  const detach = hints.attach([chain]);
  const chains = new ChainRegistry();
  chains.registerProviderChain(chain);
  const stack = createRedisDelivery(store.target, { store, config: config.delivery, chains, clock: systemClock, instanceId: name });
  stack.worker.start();
  const lease = new LeaderLease({ redis: store.redis, prefix: store.target.prefix, name: 'self-check', ttlMs: 2_000, instanceId: name });
  lease.start();
  const selfChecks = setInterval(() => {
    if (lease.isLeader) hooks.onSelfCheck(name, Date.now());
  }, 100);
  return {
    name,
    gateway,
    stack,
    hints,
    lease,
    async close() {
      clearInterval(selfChecks);
      detach();
      await lease.stop();
      await stack.close();
      await hints.stop();
      await gateway.close();
      await store.close();
    },
  };
}
