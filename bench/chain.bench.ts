/**
 * Chain overhead against named baselines, in one process run (npm run bench):
 * a bare async call, cockatiel wrap(retry, circuitBreaker) (and with its timeout), our chain
 * with two healthy providers and per-attempt timeouts on, our chain whose primary always
 * fails after its circuit opened, and retained heap per 1M invocations.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { createProviderChain } from '../src/core/build.js';
import { GatewayError } from '../src/core/errors.js';
import type { Provider } from '../src/core/provider.js';
import { envCount } from './env.js';

const N = envCount('BENCH_N', 300_000);
const ROUNDS = 7;

/**
 * Every case is measured once per round and the rounds interleave the cases, so drift (a
 * warming CPU, a neighbour, the garbage one case leaves behind) falls on all of them alike.
 * Each figure is the median over the rounds.
 */
async function measureAll(cases: readonly (readonly [string, () => Promise<unknown>])[]): Promise<number[][]> {
  for (const [, fn] of cases) for (let i = 0; i < 20_000; i++) await fn(); // warm-up
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let c = 0; c < cases.length; c++) {
      const fn = cases[c]![1];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) await fn();
      samples[c]!.push(Number(process.hrtime.bigint() - t0) / N);
    }
  }
  return samples;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const payload = { ok: true };
const bare = async (): Promise<unknown> => payload;

const ok = (name: string): Provider => ({ name, type: 'bench', invoke: async () => payload });
const failing: Provider = {
  name: 'down',
  type: 'bench',
  invoke: async () => {
    throw new GatewayError('GW_PROVIDER_TRANSIENT', 'down');
  },
};

const healthy = createProviderChain({
  capability: 'bench',
  sideEffects: true,
  providers: [ok('a'), ok('b')],
  limits: { attemptTimeoutMs: 10_000 },
});
const failover = createProviderChain({
  capability: 'bench',
  sideEffects: true,
  providers: [failing, ok('b')],
  limits: { attemptTimeoutMs: 10_000 },
  breaker: { consecutiveFailures: 1, openMs: 3_600_000, maxOpenMs: 3_600_000 },
});
for (let i = 0; i < 10; i++) await failover.invoke({}).catch(() => undefined); // opens the primary's circuit
if (failover.providers[0]!.status().toJSON().breakerState !== 'open') throw new Error('primary circuit did not open');

const cockatiel = wrap(
  retry(handleAll, { maxAttempts: 1, backoff: new ExponentialBackoff() }),
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
);
const cockatielTimeout = wrap(cockatiel, timeout(10_000, TimeoutStrategy.Cooperative));

const cases = [
  ['bare async call', bare],
  ['cockatiel wrap(retry, circuitBreaker)', () => cockatiel.execute(bare)],
  ['cockatiel wrap(retry, circuitBreaker, timeout)', () => cockatielTimeout.execute(bare)],
  ['chain: 2 healthy providers, timeouts on', () => healthy.invoke({})],
  ['chain: primary down (circuit open) -> fallback', () => failover.invoke({})],
] as const;
const samples = await measureAll(cases);
const results = cases.map(([name], i) => [name, median(samples[i]!)] as const);

const base = results[0]![1];
const cockatielOverhead = results[1]![1] - base;
console.log(`\nchain.bench (N=${N} x ${ROUNDS} interleaved rounds, median; node ${process.version})`);
console.log('case'.padEnd(50), 'ns/call'.padStart(10), 'x bare'.padStart(8), 'overhead ns'.padStart(12));
for (const [name, ns] of results)
  console.log(name.padEnd(50), ns.toFixed(0).padStart(10), (ns / base).toFixed(2).padStart(8), (ns - base).toFixed(0).padStart(12));
const chainNs = results[3]![1];
const failNs = results[4]![1];
// Each invocation arms a per-attempt timer and AbortSignal, as cockatiel's timeout policy does:
// that is the like-for-like baseline. The bound that matters is absolute: a provider call takes 50-500 ms.
const cockatielTimeoutOverhead = results[2]![1] - base;
const perRound = samples[0]!.map((b, r) => (samples[3]![r]! - b) / (samples[2]![r]! - b)).sort((a, b) => a - b);
console.log(
  `\nchain overhead: ${((chainNs - base) / 1000).toFixed(2)} µs per invocation (bound <= 10 µs); ` +
    `vs cockatiel retry+breaker+timeout: ${((chainNs - base) / cockatielTimeoutOverhead).toFixed(2)} (per round ${perRound[0]!.toFixed(2)}..${perRound[perRound.length - 1]!.toFixed(2)}); ` +
    `vs retry+breaker without a timer: ${((chainNs - base) / cockatielOverhead).toFixed(2)}`,
);
console.log(`failover after circuit opened / healthy invocation: ${(failNs / chainNs).toFixed(2)} (target < 1.20)`);

// Retained heap: what stays reachable after 1M invocations (the window and breaker are fixed-size).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  const heapChain = createProviderChain({
    capability: 'heap',
    sideEffects: true,
    providers: [ok('a'), ok('b')],
    limits: { attemptTimeoutMs: 10_000 },
  });
  for (let i = 0; i < 10_000; i++) await heapChain.invoke({});
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000_000; i++) await heapChain.invoke({});
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`retained heap growth per 1M invocations: ${((after - before) / 1024 / 1024).toFixed(3)} MB (target < 1 MB)`);
} else {
  console.log('retained heap: run with node --expose-gc (npm run bench does) to measure');
}
