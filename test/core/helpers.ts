import { ManualClock } from '../../src/core/clock.js';
import { createProviderChain, type CreateChainOptions, type ProviderSpec } from '../../src/core/build.js';
import { GatewayError, PROVIDER_CODE_FOR_KIND, type FailureKind } from '../../src/core/errors.js';
import type { InvokeContext, Provider } from '../../src/core/provider.js';

export type Behaviour = 'ok' | FailureKind | 'hang' | { kind: FailureKind; retryAfterMs?: number } | { delayMs: number };

/** A scripted provider: each call takes the next behaviour (the last one repeats). */
export class ScriptedProvider implements Provider {
  readonly type = 'scripted';
  calls = 0;
  readonly keys: string[] = [];
  readonly contexts: InvokeContext[] = [];
  deduplicates = false;

  constructor(
    readonly name: string,
    public script: Behaviour[] = ['ok'],
    private readonly clock?: ManualClock,
  ) {}

  async invoke(_req: unknown, ctx: InvokeContext): Promise<unknown> {
    const b = this.script[Math.min(this.calls, this.script.length - 1)]!;
    this.calls++;
    this.keys.push(ctx.idempotencyKey);
    this.contexts.push(ctx);
    if (b === 'ok') return { from: this.name };
    if (b === 'hang') return new Promise(() => undefined);
    if (typeof b === 'object' && 'delayMs' in b) {
      await this.clock!.sleep(b.delayMs);
      return { from: this.name };
    }
    const kind = typeof b === 'string' ? b : b.kind;
    const opts: ConstructorParameters<typeof GatewayError>[2] = { provider: this.name, kind };
    if (typeof b === 'object' && b.retryAfterMs !== undefined) opts.retryAfterMs = b.retryAfterMs;
    throw new GatewayError(PROVIDER_CODE_FOR_KIND[kind], `${this.name}: ${kind}`, opts);
  }
}

export function chainOf(providers: (Provider | ProviderSpec)[], opts: Partial<CreateChainOptions> = {}) {
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
  const chain = createProviderChain({
    capability: 'test_cap',
    sideEffects: false,
    providers,
    clock,
    random: () => 0.5,
    ...opts,
    policy: { retry: { maxAttemptsPerProvider: 1 }, ...opts.policy },
  });
  return { chain, clock };
}

/** Runs an invocation on a manual clock, advancing time in steps until it settles. */
export async function settle<T>(clock: ManualClock, promise: Promise<T>, stepMs = 10, maxMs = 120_000): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; !done && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return promise;
}
