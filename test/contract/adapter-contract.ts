/**
 * The shared adapter contract suite. Each adapter's test calls `adapterContract` with a
 * harness built on its simulator (or real server); the suite checks the happy path, every
 * failure kind the provider can produce, the AbortSignal, the probe, and that no secret
 * appears in any error, log line or trace.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Capability } from '../../src/capabilities/capability.js';
import { GatewayError, type ErrorCode, type FailureKind } from '../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../src/core/provider.js';
import { errorText, invokeCtx, probeCtx } from '../helpers/context.js';

interface ContractFailure {
  /** What the simulator is told to do, e.g. `401 bad key`, `429 with Retry-After`. */
  name: string;
  /** Makes the next request(s) fail this way. */
  arm(): void | Promise<void>;
  kind: FailureKind;
  code?: ErrorCode;
  /** Expected retryAfterMs: a range [min, max], or 'present'. */
  retryAfterMs?: 'present' | readonly [number, number];
}

export interface ContractHarness {
  provider: Provider;
  capability: Capability;
  /** A valid request for the capability. */
  request: () => unknown;
  /** Every secret value in the provider's config. */
  secrets: readonly string[];
  failures: readonly ContractFailure[];
  /** Makes the next request hang without answering. */
  hang(): void | Promise<void>;
  /** Kinds accepted when a hanging request is abandoned (default: timeout, or unknown_outcome for side effects). */
  hangKinds?: readonly FailureKind[];
  /** Makes the probe fail, with the kind expected. Omit with `noProbeReason` when the provider has no probe. */
  probeFailure?: { arm(): void | Promise<void>; kind: FailureKind };
  noProbeReason?: string;
  /**
   * The window a successful answer reports its rate-limit state for (every HTTP provider whose
   * answers carry rate-limit headers), or why the provider reports none on success.
   */
  rateLimitOnSuccess: { window: string } | { noneBecause: string };
  /**
   * A provider with a batch endpoint: a request of `n` items, the provider's maximum per call,
   * and the item counts of the calls the simulator received (in order). Otherwise why it has none.
   */
  batch: { request(n: number): unknown; maximum: number; callSizes(): number[] } | { noneBecause: string };
  /**
   * A signed-webhook provider: every delivery the receiver got (webhook-id, webhook-timestamp
   * header, raw body), so that a retry under the same id can be checked byte for byte;
   * otherwise why the provider has no such ids.
   */
  retries: { arrivals(): { id: string; timestamp: string; raw: string }[] } | { noneBecause: string };
  /** Restores normal behaviour between tests. */
  reset(): void | Promise<void>;
  /** Log lines captured from the provider's logger. */
  logs: string[];
  close(): Promise<void>;
}

export function adapterContract(label: string, setup: () => Promise<ContractHarness>): void {
  describe(`${label}: adapter contract`, () => {
    let h: ContractHarness;

    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(async () => {
      await h.reset();
    });

    const noSecrets = (text: string): void => {
      for (const secret of h.secrets) expect(text.includes(secret), `secret leaked: ${text.slice(0, 300)}`).toBe(false);
    };

    it('happy path: returns a result that matches the capability schema', async () => {
      const result = await h.provider.invoke(h.request(), invokeCtx({ provider: h.provider.name, capability: h.capability.name }));
      const parsed = h.capability.result.safeParse(result);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
      noSecrets(JSON.stringify(result));
    });

    it('reports the provider rate-limit state on a successful answer (or says why it cannot)', async () => {
      const declared = h.rateLimitOnSuccess;
      const reported: RateLimitState[] = [];
      await h.provider.invoke(
        h.request(),
        invokeCtx({ provider: h.provider.name, capability: h.capability.name, reportRateLimit: (s) => reported.push(s) }),
      );
      if ('noneBecause' in declared) {
        console.log(`${label}: no rate-limit state on success: ${declared.noneBecause}`);
        expect(reported).toEqual([]);
        return;
      }
      expect(reported.length).toBeGreaterThan(0);
      const last = reported.at(-1)!;
      expect(last.window).toBe(declared.window);
      expect(last.remaining === null || (Number.isInteger(last.remaining) && last.remaining >= 0)).toBe(true);
      expect(last.resetAt === null || last.resetAt > Date.now() - 1_000).toBe(true);
    });

    it('splits a large request at the provider batch maximum (or says why there is no batch)', async () => {
      const batch = h.batch;
      if ('noneBecause' in batch) {
        console.log(`${label}: no batch endpoint: ${batch.noneBecause}`);
        expect(batch.noneBecause.length).toBeGreaterThan(0);
        return;
      }
      const n = 2 * batch.maximum + 3;
      await h.provider.invoke(batch.request(n), invokeCtx({ provider: h.provider.name, capability: h.capability.name, timeoutMs: 20_000 }));
      expect(batch.callSizes()).toEqual([batch.maximum, batch.maximum, 3]);
    });

    it('a retry under the same idempotency key sends the byte-identical body under the same webhook-id (or says why there is none)', async () => {
      const retries = h.retries;
      if ('noneBecause' in retries) {
        console.log(`${label}: no webhook-id: ${retries.noneBecause}`);
        expect(retries.noneBecause.length).toBeGreaterThan(0);
        return;
      }
      const base = {
        provider: h.provider.name,
        capability: h.capability.name,
        idempotencyKey: 'contract-retry',
        acceptedAt: Date.now() - 5_000,
      };
      await h.provider.invoke(h.request(), invokeCtx({ ...base, attempt: 1 }));
      // A later attempt: a new webhook-timestamp second, the same event.
      await new Promise((r) => setTimeout(r, 1_050));
      await h.provider.invoke(h.request(), invokeCtx({ ...base, attempt: 2 }));
      const [first, second, ...more] = retries.arrivals();
      expect(more).toEqual([]);
      expect(second!.id).toBe(first!.id);
      expect(second!.timestamp).not.toBe(first!.timestamp);
      expect(second!.raw).toBe(first!.raw);
    });

    it('maps every documented failure to its kind and code', async () => {
      expect(h.failures.length).toBeGreaterThan(0);
      for (const failure of h.failures) {
        await h.reset();
        await failure.arm();
        const error = await h.provider.invoke(h.request(), invokeCtx({ provider: h.provider.name, capability: h.capability.name })).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `${failure.name}: expected a GatewayError`).toBeInstanceOf(GatewayError);
        const ge = error as GatewayError;
        expect({ failure: failure.name, kind: ge.kind }).toEqual({ failure: failure.name, kind: failure.kind });
        if (failure.code) expect({ failure: failure.name, code: ge.code }).toEqual({ failure: failure.name, code: failure.code });
        if (failure.retryAfterMs === 'present') {
          expect(ge.retryAfterMs, `${failure.name}: retryAfterMs`).toBeGreaterThan(0);
        } else if (failure.retryAfterMs) {
          expect(ge.retryAfterMs, `${failure.name}: retryAfterMs`).toBeGreaterThanOrEqual(failure.retryAfterMs[0]);
          expect(ge.retryAfterMs, `${failure.name}: retryAfterMs`).toBeLessThanOrEqual(failure.retryAfterMs[1]);
        }
        noSecrets(errorText(ge));
      }
    });

    it('honours the AbortSignal: a hanging request is abandoned at the deadline', async () => {
      await h.hang();
      const started = Date.now();
      const error = await h.provider
        .invoke(h.request(), invokeCtx({ provider: h.provider.name, capability: h.capability.name, timeoutMs: 400 }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(GatewayError);
      const kinds = h.hangKinds ?? (h.capability.sideEffects ? ['timeout', 'unknown_outcome'] : ['timeout']);
      expect(kinds).toContain((error as GatewayError).kind);
      expect(elapsed).toBeLessThan(5_000);
      noSecrets(errorText(error));
    });

    it('probe: succeeds against a healthy peer and fails with the right kind', async (ctx) => {
      if (!h.provider.probe) {
        expect(h.noProbeReason, 'a provider without probe must say why').toBeTruthy();
        console.log(`skip: ${label} has no probe: ${h.noProbeReason}`);
        ctx.skip();
        return;
      }
      const ok = await h.provider.probe(probeCtx({ provider: h.provider.name }));
      noSecrets(JSON.stringify(ok ?? {}));
      if (h.probeFailure) {
        await h.probeFailure.arm();
        const error = await h.provider.probe(probeCtx({ provider: h.provider.name })).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(GatewayError);
        expect((error as GatewayError).kind).toBe(h.probeFailure.kind);
        noSecrets(errorText(error));
      }
    });

    it('never writes a secret to its log', () => {
      noSecrets(h.logs.join('\n'));
    });
  });
}
