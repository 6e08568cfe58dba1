/**
 * Builds a real Gateway for the end-to-end suites: the config goes through `validateConfig`
 * exactly as a file would, and the gateway runs in live mode against loopback peers.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../src/core/clock.js';
import type { ProviderStatusJSON } from '../../../src/core/health.js';
import type { GatewayError } from '../../../src/core/errors.js';
import { validateConfig, type GatewayConfigInput } from '../../../src/config/index.js';
import { Gateway } from '../../../src/gateway/gateway.js';

export type CapabilitiesInput = GatewayConfigInput['capabilities'];

export interface LiveGatewayOptions {
  defaults?: GatewayConfigInput['defaults'];
  clock?: Clock;
  store?: string;
}

/** A live-mode Gateway on `memory:` (unless a store URL is given), no periodic snapshots. */
export async function liveGateway(capabilities: CapabilitiesInput, opts: LiveGatewayOptions = {}): Promise<Gateway> {
  const raw: GatewayConfigInput = {
    mode: 'live',
    store: opts.store ?? 'memory:',
    logLevel: 'silent',
    capabilities,
    ...(opts.defaults ? { defaults: opts.defaults } : {}),
  };
  const { config } = validateConfig(raw, {});
  return Gateway.create({ config, dryRun: false, snapshotIntervalMs: 0, ...(opts.clock ? { clock: opts.clock } : {}) });
}

/** The provider's status as JSON (throws when the name is unknown, so a typo fails the test). */
export function statusOf(gateway: Gateway, name: string): ProviderStatusJSON {
  const p = gateway.findProvider(name);
  if (!p) throw new Error(`no provider ${name}`);
  return p.status().toJSON();
}

/** Why the provider cannot be called now (`GW_COOLING_DOWN`, `GW_CIRCUIT_OPEN`, ...), or null. */
export function unavailableCode(gateway: Gateway, name: string): string | null {
  const p = gateway.findProvider(name);
  if (!p) throw new Error(`no provider ${name}`);
  return p.unavailable(gateway.clock.now())?.code ?? null;
}

/** The rejection of a promise that must fail (fails the test when it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<GatewayError> {
  const outcome = await p.then(
    () => ({ ok: true as const }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error('expected the invocation to fail');
  return outcome.e as GatewayError;
}

/** A Standard Webhooks secret. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
