/**
 * The self-healing figures of issue 12 (points 1 and 4), counted on the engine with scripted
 * providers on a manual clock: how many provider calls the panic rule makes when nothing is
 * usable, and whether a recovered primary gets traffic back. These are counts, not timings:
 * the same on every machine. `npm run bench:self-healing`.
 */
import { createProviderChain } from '../src/core/build.js';
import { ManualClock } from '../src/core/clock.js';
import { GatewayError, type ErrorCode } from '../src/core/errors.js';
import type { PanicRule } from '../src/core/policy.js';
import type { Provider } from '../src/core/provider.js';

class Counted implements Provider {
  readonly type = 'counted';
  calls = 0;
  constructor(
    readonly name: string,
    public answer: (n: number) => ErrorCode | { code: ErrorCode; retryAfterMs: number } | 'ok',
  ) {}
  async invoke(): Promise<unknown> {
    const a = this.answer(++this.calls);
    if (a === 'ok') return { by: this.name };
    const { code, retryAfterMs } = typeof a === 'string' ? { code: a, retryAfterMs: undefined } : a;
    throw new GatewayError(code, `${this.name}: ${code}`, { provider: this.name, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
}

function chainOf(providers: Counted[], clock: ManualClock, panic: PanicRule = 'try_all') {
  return createProviderChain({
    capability: 'figures',
    sideEffects: false,
    providers,
    clock,
    random: () => 0.5,
    // The figures are about the panic rule when nothing is usable: callers fail fast (overflow
    // `failover`). With the default `wait` they wait for the reset instead, calling nothing either.
    policy: { panic, overflow: 'failover', retry: { maxAttemptsPerProvider: 1 } },
  });
}

/** n invocations one after the other, gapMs apart; an invocation that waits (for a reset) is given the time it waits for. */
async function invokeN(chain: ReturnType<typeof chainOf>, n: number, clock: ManualClock, gapMs = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    let settled = false;
    const invocation = chain.invoke({}).then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let t = 0; t < 5; t++) await Promise.resolve();
    while (!settled) await clock.advance(1);
    await invocation;
    if (gapMs) await clock.advance(gapMs);
  }
}

const rows: [string, string, string][] = [];

// 1a. One provider answering 429 Retry-After 30 s: calls from the next 100 invocations in the same second.
for (const count of [1, 2]) {
  const clock = new ManualClock();
  const ps = Array.from(
    { length: count },
    (_, i) => new Counted(`p${i}`, () => ({ code: 'GW_PROVIDER_RATE_LIMITED', retryAfterMs: 30_000 })),
  );
  const chain = chainOf(ps, clock);
  await invokeN(chain, 1, clock);
  const before = ps.reduce((s, p) => s + p.calls, 0);
  await invokeN(chain, 100, clock, 5);
  rows.push([
    `${count} provider(s) answering 429 Retry-After 30: calls from 100 invocations in 0.5 s`,
    count === 1 ? '100' : '200',
    String(ps.reduce((s, p) => s + p.calls, 0) - before),
  ]);
}

// 1b. One provider whose circuit opened: calls during its open period (100 invocations).
{
  const clock = new ManualClock();
  const p = new Counted('p', () => 'GW_PROVIDER_TRANSIENT');
  const chain = chainOf([p], clock);
  await invokeN(chain, 5, clock); // opens after 5 consecutive failures
  const before = p.calls;
  await invokeN(chain, 100, clock, 100); // 10 s of a 30 s open period
  rows.push(['one provider with an open circuit: calls from 100 invocations during its open period', '100', String(p.calls - before)]);
}

// 1c. A 3-provider outage: provider calls per invocation, try_all and fail_fast (2 minutes, 10 invocations/s).
for (const panic of ['try_all', 'fail_fast'] as const) {
  const clock = new ManualClock();
  const ps = ['a', 'b', 'c'].map((n) => new Counted(n, () => 'GW_PROVIDER_TRANSIENT'));
  const chain = chainOf(ps, clock, panic);
  await invokeN(chain, 1_200, clock, 100);
  rows.push([
    `3-provider outage, ${panic}: provider calls per invocation (1,200 over 2 min)`,
    panic === 'try_all' ? '2.8' : '0.11',
    (ps.reduce((s, p) => s + p.calls, 0) / 1_200).toFixed(2),
  ]);
}

// 1d. 2,000 quick invocations against a provider that answers 429 above 5/s (1 s window).
{
  const clock = new ManualClock();
  let windowStart = clock.now();
  let inWindow = 0;
  let throttled = 0;
  const p = new Counted('p', () => {
    if (clock.now() - windowStart >= 1_000) {
      windowStart = clock.now();
      inWindow = 0;
    }
    if (++inWindow > 5) {
      throttled++;
      return { code: 'GW_PROVIDER_RATE_LIMITED', retryAfterMs: windowStart + 1_000 - clock.now() };
    }
    return 'ok';
  });
  const chain = chainOf([p], clock);
  await invokeN(chain, 2_000, clock, 1); // 2,000 in 2 s
  rows.push(['2,000 invocations in 2 s against a provider that answers 429 above 5/s: upstream 429s', '2,008', String(throttled)]);
}

// 1e. A login refused (IMAP-like auth): calls from 100 invocations over 1 minute.
{
  const clock = new ManualClock();
  const p = new Counted('imap', () => 'GW_PROVIDER_AUTH');
  const chain = chainOf([p], clock);
  await invokeN(chain, 100, clock, 600);
  rows.push(['a refused login: calls from 100 invocations over 1 min (a mailbox can lock the account)', '100', String(p.calls)]);
}

// 4. A recovered primary, no probes: invocations it serves over 10 minutes (1/s) after recovery.
{
  const clock = new ManualClock();
  let failing = true;
  const primary = new Counted('primary', () => (failing ? 'GW_PROVIDER_TRANSIENT' : 'ok'));
  const backup = new Counted('backup', () => 'ok');
  const chain = createProviderChain({
    capability: 'figures',
    sideEffects: false,
    providers: [primary, backup],
    clock,
    random: () => 0.5,
    policy: { retry: { maxAttemptsPerProvider: 1 } },
  });
  await invokeN(chain, 60, clock, 1_000);
  failing = false;
  const before = primary.calls;
  await invokeN(chain, 600, clock, 1_000);
  rows.push(['recovered primary, no probes: invocations it serves of 600 over 10 min after recovery', '0', String(primary.calls - before)]);
}

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'measurement'.padEnd(w)}  ${'before'.padStart(7)}  ${'now'.padStart(7)}`);
for (const [what, before, now] of rows) console.log(`${what.padEnd(w)}  ${before.padStart(7)}  ${now.padStart(7)}`);
console.log('\n"before": the figures measured on the engine before issue 12 (issue 12, points 1 and 4).');
