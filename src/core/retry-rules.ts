/** The kinds table and the retry policy of a chain, as pure functions of the policy and the clock. */
import { failsOver, type FailureKind, type GatewayError } from './errors.js';
import type { ChainPolicy } from './policy.js';

/** Never after invalid_request; after unknown_outcome only when a duplicate is impossible or accepted. */
export function mayFailOver(kind: FailureKind, policy: ChainPolicy, sideEffects: boolean, deduplicates: boolean): boolean {
  if (failsOver(kind)) return true;
  if (kind !== 'unknown_outcome') return false;
  return !sideEffects || deduplicates || policy.failoverOnUnknownOutcome;
}

/** Attempt `n` failed with `error`: may the same provider be tried again before `deadline`? */
export function mayRetrySame(error: GatewayError, n: number, policy: ChainPolicy, now: number, deadline: number): boolean {
  if (n >= policy.retry.maxAttemptsPerProvider) return false;
  switch (error.kind) {
    case 'transient':
    case 'timeout':
      return now + policy.retry.backoffMs < deadline;
    case 'rate_limited': {
      const wait = error.retryAfterMs;
      return wait !== undefined && wait <= policy.retry.maxRetryAfterMs && now + wait < deadline;
    }
    default:
      return false;
  }
}

/** Exponential backoff with half jitter; never shorter than the provider's own reset, never past the deadline. */
export function backoffMs(
  error: GatewayError,
  n: number,
  policy: ChainPolicy,
  random: () => number,
  now: number,
  deadline: number,
): number {
  const r = policy.retry;
  const exp = Math.min(r.maxBackoffMs, r.backoffMs * 2 ** (n - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  const wait = error.kind === 'rate_limited' && error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, jittered) : jittered;
  return Math.max(0, Math.min(wait, deadline - now - 1));
}
