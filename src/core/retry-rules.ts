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
      // A provider that asked to wait is busy, not failing: with overflow `wait` any wait that fits the deadline is taken.
      const wait = error.retryAfterMs;
      const longest = policy.overflow === 'wait' ? Infinity : policy.retry.maxRetryAfterMs;
      return wait !== undefined && wait <= longest && now + wait < deadline;
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
