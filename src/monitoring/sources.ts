/**
 * The surface of the engine that monitoring uses: the subset of TrackedProvider and
 * ProviderChain (src/core/) it needs, structurally, so small fakes serve in tests.
 */
import type { Disposer } from '../core/events.js';
import type { ProviderStatusJSON } from '../core/health.js';
import type { HealthChangeEvent, ProbeOutcome } from '../core/tracked-provider-types.js';
import type { RecommendationHints } from '../providers/types.js';

/** What a probe reports (the engine's own type). */
export type ProbeOutcomeLike = ProbeOutcome;

/** A provider health transition (the engine's own type). */
export type HealthChangeEventLike = HealthChangeEvent;

export interface MonitoredProvider {
  readonly name: string;
  readonly type: string;
  readonly capability: string;
  readonly configured: boolean;
  readonly hints: RecommendationHints;
  /** The setting that is missing when not configured (config key path relative to the provider's options). */
  readonly missingSetting?: string | undefined;
  /** The `${VAR}` each option came from (option path -> variable name). */
  readonly optionVariables?: Readonly<Record<string, string>>;
  /** Its configured slow-call threshold (breaker.slowCallMs), used by the slow rule. */
  readonly slowCallMs?: number;
  /** Why the provider cannot be called now, or null when it can. */
  unavailable?(now: number): unknown;
  status(): { toJSON(): ProviderStatusJSON };
  /** Runs the adapter's probe with a timeout, feeds the outcome into health; never throws. */
  probe(timeoutMs?: number): Promise<ProbeOutcomeLike>;
  snapshot?(): unknown;
  readonly onHealthChange: (listener: (e: HealthChangeEventLike) => void) => Disposer;
}

export interface ChainStatusLike {
  capability: string;
  sideEffects: boolean;
  strategy: string;
  usableProviders: number;
  providers: ProviderStatusJSON[];
}

export interface MonitoredChain {
  readonly capability: string;
  readonly sideEffects: boolean;
  readonly providers: readonly MonitoredProvider[];
  getStatusReport(): ChainStatusLike;
}

/** The provider health snapshots of some chains, as the store saves them (one mapping, used by the Gateway and the self-check). */
export function healthSnapshots(
  chains: readonly MonitoredChain[],
  savedAt: number,
): { provider: string; capability: string; savedAt: number; snapshot: unknown; status: ProviderStatusJSON }[] {
  return chains.flatMap((c) =>
    c.providers.map((p) => ({
      provider: p.name,
      capability: c.capability,
      savedAt,
      snapshot: p.snapshot?.() ?? null,
      status: p.status().toJSON(),
    })),
  );
}
