/**
 * How close the pacer gets to a provider's real limit when none is declared (issue 14, part b of
 * the bulk benchmark): one provider that enforces a hard limit of LIMIT calls a second (a fixed
 * one-second window, then a sliding one) and answers 429 with Retry-After above it, 20 ms a call,
 * CALLERS callers invoking the chain back to back for SECONDS. Prints the successful rate as a
 * share of the limit and the share of calls answered 429. Targets: >= 0.85 and <= 2%. The
 * callers' first calls meet the limit before any pace is known (up to CALLERS answered 429 at
 * the start), a share that shrinks with the run: 2.2% of a 30 s run, 1.1% of a 60 s one.
 * `npm run bench:learned-limit` (BENCH_LIMIT, BENCH_CALLERS, BENCH_SECONDS from the environment).
 */
import { createProviderChain } from '../src/core/build.js';
import { GatewayError } from '../src/core/errors.js';
import type { Provider } from '../src/core/provider.js';
import { envCount } from './env.js';

const LIMIT = envCount('BENCH_LIMIT', 50);
const CALLERS = envCount('BENCH_CALLERS', 32);
const SECONDS = envCount('BENCH_SECONDS', 60);

class HardLimit implements Provider {
  readonly type = 'hard-limit';
  readonly name = 'hard_limit';
  accepted = 0;
  throttled = 0;
  private starts: number[] = [];
  constructor(private readonly window: 'fixed' | 'sliding') {}

  async invoke(): Promise<unknown> {
    const now = Date.now();
    this.starts =
      this.window === 'fixed'
        ? this.starts.filter((t) => Math.floor(t / 1000) === Math.floor(now / 1000))
        : this.starts.filter((t) => now - t < 1000);
    const over = this.starts.length >= LIMIT;
    if (!over) this.starts.push(now);
    await new Promise((r) => setTimeout(r, 20));
    if (!over) {
      this.accepted++;
      return {};
    }
    this.throttled++;
    const retryAfterMs = this.window === 'fixed' ? 1000 - (now % 1000) : 1000;
    throw new GatewayError('GW_PROVIDER_RATE_LIMITED', 'over the limit', { provider: this.name, retryAfterMs });
  }
}

async function run(window: 'fixed' | 'sliding'): Promise<{ utilisation: number; throttledShare: number }> {
  const provider = new HardLimit(window);
  const chain = createProviderChain({ capability: 'bench', sideEffects: false, providers: [provider], policy: { deadlineMs: 30_000 } });
  const started = Date.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < end) await chain.invoke({}).catch(() => undefined);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    utilisation: provider.accepted / seconds / LIMIT,
    throttledShare: provider.throttled / (provider.accepted + provider.throttled),
  };
}

console.log(`learned-limit: limit ${LIMIT}/s undeclared, ${CALLERS} callers, ${SECONDS} s per window kind, 20 ms a call`);
for (const window of ['fixed', 'sliding'] as const) {
  const r = await run(window);
  console.log(
    `${window.padEnd(7)} window: rate / limit ${r.utilisation.toFixed(2)} (target >= 0.85), calls answered 429 ${(100 * r.throttledShare).toFixed(2)}% (target <= 2%)`,
  );
}
