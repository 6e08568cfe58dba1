/**
 * The invocation trace: one AttemptRecord per provider called or skipped, so a caller can
 * always see why a route was taken.
 */
import type { ErrorCode } from './errors.js';
import type { AttemptRecord } from './invocation.js';
import type { OrderingStrategy } from './policy.js';
import type { AttemptResult, TrackedProvider } from './tracked-provider.js';

export function skipped(provider: string, code: ErrorCode, message: string): AttemptRecord {
  return { provider, outcome: 'skipped', code, message, latencyMs: 0 };
}

export function attemptRecord(provider: string, r: AttemptResult<unknown>): AttemptRecord {
  if (r.ok) return { provider, outcome: 'success', latencyMs: r.latencyMs };
  const rec: AttemptRecord = {
    provider,
    outcome: r.local ? 'skipped' : r.error.kind,
    code: r.error.code,
    message: r.error.message,
    latencyMs: r.latencyMs,
  };
  if (r.error.retryAfterMs !== undefined) rec.retryAfterMs = r.error.retryAfterMs;
  return rec;
}

/**
 * Providers never reached because the ordering put them behind the one that served (an open
 * circuit, a cool-down, worse health), as skipped with their reason, to go first in the trace.
 * With `priority`, providers configured after the one that served were not passed over.
 */
export function passedOver(
  providers: readonly TrackedProvider[],
  strategy: OrderingStrategy,
  attempts: readonly AttemptRecord[],
  now: number,
): AttemptRecord[] {
  const out: AttemptRecord[] = [];
  for (const p of providers) {
    if (attempts.some((a) => a.provider === p.name)) {
      if (strategy === 'priority') break;
      continue;
    }
    const u = p.unavailable(now);
    if (u) out.push(skipped(p.name, u.code, u.reason));
    else if (strategy === 'priority')
      out.push(skipped(p.name, 'GW_DEMOTED', `ordered behind healthier providers (health ${p.healthAt(now).health})`));
  }
  return out;
}
