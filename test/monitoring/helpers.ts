/** Fake adapters and chains on a ManualClock for the monitoring tests. */
import { createProviderChain, type ProviderSpec } from '../../src/core/build.js';
import type { ProviderChain } from '../../src/core/chain.js';
import { ManualClock } from '../../src/core/clock.js';
import { GatewayError, type ErrorCode } from '../../src/core/errors.js';
import type { Provider, ProbeResult } from '../../src/core/provider.js';

export type ProbeBehaviour = 'ok' | 'none' | 'hang' | ErrorCode | ((signal: AbortSignal) => Promise<ProbeResult | void>);

export interface FakeAdapter extends Provider {
  behaviour: ProbeBehaviour;
  probes: number;
  invokeWith?: ErrorCode | 'ok';
}

export function fakeAdapter(name: string, behaviour: ProbeBehaviour = 'ok', type = 'fake'): FakeAdapter {
  const a: FakeAdapter = {
    name,
    type,
    behaviour,
    probes: 0,
    async invoke() {
      if (a.invokeWith && a.invokeWith !== 'ok') throw new GatewayError(a.invokeWith, `${name} failed`, { provider: name });
      return { ok: true, by: name };
    },
  };
  Object.defineProperty(a, 'probe', {
    enumerable: true,
    get() {
      const b = a.behaviour;
      if (b === 'none') return undefined;
      return async (ctx: { signal: AbortSignal }): Promise<ProbeResult | void> => {
        a.probes++;
        if (b === 'ok') return { metadata: { checked: true } };
        if (b === 'hang') return new Promise(() => undefined);
        if (typeof b === 'function') return b(ctx.signal);
        throw new GatewayError(b, `${name} probe failed with ${b}`, {
          provider: name,
          ...(b === 'GW_PROVIDER_RATE_LIMITED' ? { retryAfterMs: 60_000 } : {}),
        });
      };
    },
  });
  return a;
}

export function chainOf(
  capability: string,
  clock: ManualClock,
  providers: (FakeAdapter | ProviderSpec)[],
  sideEffects = true,
): ProviderChain {
  return createProviderChain({ capability, sideEffects, providers, clock, random: () => 0.5 });
}

export const T0 = 1_700_000_000_000;

export function newClock(): ManualClock {
  return new ManualClock(T0);
}
