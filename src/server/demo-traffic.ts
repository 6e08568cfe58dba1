/**
 * `serve --demo`: light synthetic traffic in dry run, so a first run shows the product working.
 * The bundled sandboxes have an SMTP outage 30 s after start (20 s every 2 minutes), LinkedIn's
 * 20 posts a minute and Airtable's 5 requests per 30 s: at the paces below each is exceeded
 * within the first minute, so failover, rate limits and recovery can be watched on the dashboard.
 *
 * Each capability of the running config that has a pace gets its capability's example request,
 * one at a time (a tick is skipped while the previous request is still running). Only dry run:
 * the caller refuses `--demo` in live mode, and a reload to live mode pauses the traffic.
 */
import { getCapability, type CapabilityName } from '../capabilities/index.js';
import { isGatewayError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Gateway } from '../gateway.js';

/** Milliseconds between two demo requests of a capability. */
const DEMO_PACE_MS: Readonly<Record<CapabilityName, number>> = {
  email_sending: 2_000,
  social_posting_linkedin: 2_000, // 30 a minute: over the sandbox's 20
  social_posting_x: 15_000,
  social_posting_facebook: 15_000,
  crm_sync: 3_000, // 10 per 30 s: over the sandbox's 5
  lead_enrichment: 10_000,
  email_verification: 10_000,
  reply_fetching: 30_000,
  webhook_dispatch: 2_000,
};

export interface DemoTraffic {
  /** Requests sent and how many failed (every provider of the chain refused or failed). */
  readonly counts: { sent: number; failed: number };
  /** Stops the timers and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** Starts the traffic against whichever Gateway `current()` returns at each tick (it changes on reload). */
export function startDemoTraffic(current: () => Gateway, logger: Logger): DemoTraffic {
  const counts = { sent: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const busy = new Set<string>();
  let sequence = 0;

  const send = async (capability: CapabilityName): Promise<void> => {
    const gateway = current();
    if (gateway.mode !== 'dry_run' || !gateway.getProviderChain(capability) || busy.has(capability)) return;
    busy.add(capability);
    counts.sent++;
    try {
      await gateway.invoke(capability, demoRequest(capability, ++sequence));
    } catch (error) {
      counts.failed++;
      logger.debug({ capability, code: isGatewayError(error) ? error.code : 'GW_INTERNAL' }, 'demo request failed');
    } finally {
      busy.delete(capability);
    }
  };

  const timers = Object.entries(DEMO_PACE_MS).map(([capability, ms]) =>
    setInterval(() => {
      const p = send(capability as CapabilityName);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }, ms),
  );
  return {
    counts,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The capability's example, made distinct per request where a provider would refuse a repeat (a post's text). */
function demoRequest(capability: CapabilityName, n: number): Record<string, unknown> {
  const example = { ...getCapability(capability)!.example };
  if (typeof example.text === 'string' && capability.startsWith('social_posting_')) example.text = `${example.text} (demo #${n})`;
  return example;
}
