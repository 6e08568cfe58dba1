/**
 * What delivery needs from the engine, as a narrow interface: run a chain (without the
 * ledger), validate a request, and tell whether and when a capability has a usable provider.
 * `chainHost` builds it from the chains the Gateway owns.
 */
import { getCapability, parseRequest } from '../capabilities/index.js';
import type { ProviderChain } from '../core/chain.js';
import { GatewayError } from '../core/errors.js';
import type { InvokeOptions, InvokeResult } from '../core/invocation.js';

export interface DeliveryHost {
  /** The capabilities that have a chain. */
  capabilities(): string[];
  /** Parses the request against the capability schema (throws GW_UNKNOWN_CAPABILITY / GW_INVALID_REQUEST). */
  validate(capability: string, request: unknown): unknown;
  sideEffects(capability: string): boolean;
  /** Every provider of the chain deduplicates by idempotency key (a retry after an unknown outcome is safe). */
  deduplicates(capability: string): boolean;
  deadlineMs(capability: string): number;
  /** `now` when a provider is usable now; a later time when the earliest one becomes usable; null when unknown. */
  usableAt(capability: string, now: number): number | null;
  /** One chain invocation, without the ledger. */
  invoke(capability: string, request: unknown, options: InvokeOptions): Promise<InvokeResult>;
}

export function chainHost(getChain: (capability: string) => ProviderChain | undefined, listChains: () => ProviderChain[]): DeliveryHost {
  const chain = (capability: string): ProviderChain => {
    const c = getChain(capability);
    if (!c) throw new GatewayError('GW_UNKNOWN_CAPABILITY', `No chain is configured for capability "${capability}"`, { capability });
    return c;
  };
  return {
    capabilities: () => listChains().map((c) => c.capability),
    validate(capability, request) {
      const def = getCapability(capability);
      if (!def || !getChain(capability)) throw new GatewayError('GW_UNKNOWN_CAPABILITY', `No chain is configured for capability "${capability}"`, { capability });
      return parseRequest(def, request);
    },
    sideEffects: (capability) => chain(capability).sideEffects,
    deduplicates: (capability) => chain(capability).providers.every((p) => p.deduplicates),
    deadlineMs: (capability) => chain(capability).policy.deadlineMs,
    usableAt(capability, now) {
      let best: number | null = null;
      for (const p of chain(capability).providers) {
        const t = p.availableAt(now);
        if (t !== null && (best === null || t < best)) best = t;
      }
      return best;
    },
    invoke: (capability, request, options) => chain(capability).invoke(request, options),
  };
}
