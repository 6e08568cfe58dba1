/**
 * Health hints shared between instances over Redis pub/sub. When a provider's circuit opens or
 * it starts cooling down here, this instance publishes a hint (provider, capability, until);
 * every other instance demotes that provider at once by giving it a cool-down until then (the
 * chain skips it while another provider is usable; the panic rule still tries it). A hint is
 * advisory and short: it is capped at `maxHintMs`, so no instance can switch a provider off
 * everywhere for long, and it never outlives the signal that caused it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ProviderChain } from '../../core/chain.js';
import type { FailureKind } from '../../core/errors.js';
import type { Disposer } from '../../core/events.js';
import type { TrackedProvider } from '../../core/tracked-provider.js';

export interface HealthHint {
  provider: string;
  capability: string;
  /** Epoch ms until which the provider should be avoided. */
  until: number;
  kind: FailureKind;
  reason: string;
  from: string;
}

export interface HealthHintsOptions {
  /** Publishing connection (the store's). */
  redis: Redis;
  prefix: string;
  instanceId?: string;
  /** Longest demotion a hint can cause (default 30 s). */
  maxHintMs?: number;
  now?: () => number;
}

export class HealthHints {
  readonly instanceId: string;
  /** Hints received from other instances and applied, newest last (bounded). */
  readonly received: HealthHint[] = [];
  private sub: Redis | null = null;
  private readonly channel: string;
  private readonly maxHintMs: number;
  private readonly now: () => number;
  private readonly providers = new Map<string, TrackedProvider>();
  private applying = false;

  constructor(private readonly o: HealthHintsOptions) {
    this.instanceId = o.instanceId ?? randomUUID();
    this.channel = `${o.prefix}hints`;
    this.maxHintMs = o.maxHintMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.sub) return;
    this.sub = this.o.redis.duplicate();
    this.sub.on('error', () => undefined);
    this.sub.on('message', (_channel: string, message: string) => this.receive(message));
    await this.sub.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    const s = this.sub;
    this.sub = null;
    if (s) await s.quit().catch(() => s.disconnect());
  }

  /** Publishes this instance's breaker openings and cool-downs of these chains, and applies others' hints to them. */
  attach(chains: readonly ProviderChain[]): Disposer {
    const disposers: Disposer[] = [];
    for (const chain of chains) {
      for (const p of chain.providers) this.providers.set(key(p.capability, p.name), p);
      const check = (e: { provider: string }): void => {
        const p = chain.getProvider(e.provider);
        if (p && !this.applying) void this.publishFor(p);
      };
      disposers.push(chain.onBreakerStateChange(check), chain.onHealthChange(check));
    }
    return () => disposers.forEach((d) => d());
  }

  async publish(hint: Omit<HealthHint, 'from'>): Promise<void> {
    await this.o.redis.publish(this.channel, JSON.stringify({ ...hint, from: this.instanceId }));
  }

  private async publishFor(p: TrackedProvider): Promise<void> {
    const now = this.now();
    const s = p.snapshot();
    const openUntil = s.breaker.state === 'open' ? s.breaker.openUntil : null;
    if (openUntil !== null && openUntil > now) {
      await this.publish({
        provider: p.name,
        capability: p.capability,
        until: openUntil,
        kind: s.lastError?.kind ?? 'transient',
        reason: `circuit open (${s.breaker.openReason ?? 'failures'})`,
      }).catch(() => undefined);
    } else if (s.cooldownUntil !== null && s.cooldownUntil > now && s.cooldownKind) {
      await this.publish({
        provider: p.name,
        capability: p.capability,
        until: s.cooldownUntil,
        kind: s.cooldownKind,
        reason: `cooling down after ${s.cooldownKind}`,
      }).catch(() => undefined);
    }
  }

  private receive(message: string): void {
    let hint: HealthHint;
    try {
      hint = JSON.parse(message) as HealthHint;
    } catch {
      return;
    }
    if (hint.from === this.instanceId) return;
    const p = this.providers.get(key(hint.capability, hint.provider));
    const now = this.now();
    const until = Math.min(hint.until, now + this.maxHintMs);
    if (!p || until <= now) return;
    const s = p.snapshot();
    if ((s.cooldownUntil ?? 0) >= until || s.breaker.state === 'isolated' || s.breaker.state === 'forced_closed') return;
    this.applying = true;
    try {
      p.restore({ ...s, cooldownUntil: until, cooldownKind: hint.kind });
    } finally {
      this.applying = false;
    }
    this.received.push(hint);
    if (this.received.length > 100) this.received.shift();
  }
}

function key(capability: string, provider: string): string {
  return `${capability}\u0000${provider}`;
}
