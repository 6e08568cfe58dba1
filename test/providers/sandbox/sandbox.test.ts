import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/capabilities/capability.js';
import { emailSending } from '../../../src/capabilities/email-sending.js';
import { createProviderChain } from '../../../src/core/build.js';
import { ManualClock } from '../../../src/core/clock.js';
import { GatewayError } from '../../../src/core/errors.js';
import { sandboxOptions, type SandboxOptionsInput } from '../../../src/providers/sandbox/options.js';
import { SandboxProvider } from '../../../src/providers/sandbox/sandbox-provider.js';
import { invokeCtx, probeCtx } from '../../helpers/context.js';

const mail = { to: 'ada@example.com', subject: 'Hi', text: 'Hello' };
const make = (o: SandboxOptionsInput = {}, clock = new ManualClock()) => ({
  sb: new SandboxProvider('sb', sandboxOptions.parse(o), clock),
  clock,
});
const ctx = (key = 'k1') => invokeCtx({ capability: 'email_sending', idempotencyKey: key });
const fail = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as GatewayError,
  );

describe('sandbox provider', () => {
  it('returns a realistic result, recording the delivery under its key', async () => {
    const { sb } = make();
    const r = (await sb.invoke(mail, ctx('key-a'))) as { messageId: string; accepted: string[] };
    expect(r.accepted).toEqual(['ada@example.com']);
    expect(r.messageId).toMatch(/^<[0-9a-f]{16}@sandbox\.aicmo\.local>$/);
    expect(sb.records).toHaveLength(1);
    expect(sb.records[0]).toMatchObject({ idempotencyKey: 'key-a', capability: 'email_sending', duplicate: false });
  });

  it('behind a chain, never sees a request that fails the capability schema', async () => {
    const { sb } = make();
    const chain = createProviderChain({
      capability: 'email_sending',
      sideEffects: true,
      providers: [sb],
      validate: (r) => parseRequest(emailSending, r),
    });
    await expect(chain.invoke({ to: 'nope' })).rejects.toMatchObject({ code: 'GW_INVALID_REQUEST' });
    expect(sb.calls).toBe(0);
    expect(sb.records).toHaveLength(0);
  });

  it('counts duplicates per key, or acts once when it deduplicates', async () => {
    const plain = make().sb;
    await plain.invoke(mail, ctx('same'));
    await plain.invoke(mail, ctx('same'));
    expect(plain.deliveries.get('same')).toBe(2);
    expect(plain.records[1]!.duplicate).toBe(true);
    const dedupe = make({ deduplicates: true }).sb;
    await dedupe.invoke(mail, ctx('same'));
    await dedupe.invoke(mail, ctx('same'));
    expect(dedupe.deliveries.get('same')).toBe(1);
    expect(dedupe.records).toHaveLength(1);
  });

  it('injects failures by kind with the configured rate (seeded)', async () => {
    const { sb } = make({ errorRate: { transient: 0.5 }, seed: 42 });
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const e = await fail(sb.invoke(mail, ctx(`k${i}`)));
      if (e) {
        expect(e).toMatchObject({ kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' });
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(150);
    expect(failures).toBeLessThan(250);
    expect(sb.deliveries.size).toBe(400 - failures);
  });

  it('fails inside outage windows, recurring, and the probe fails with it', async () => {
    const { sb, clock } = make({ outages: [{ afterSec: 10, durationSec: 5, everySec: 60, kind: 'auth' }] });
    await expect(sb.invoke(mail, ctx())).resolves.toBeTruthy();
    await clock.advance(11_000);
    expect(await fail(sb.invoke(mail, ctx()))).toMatchObject({ kind: 'auth', code: 'GW_PROVIDER_AUTH' });
    expect(await fail(sb.probe(probeCtx()))).toMatchObject({ kind: 'auth' });
    await clock.advance(5_000);
    await expect(sb.invoke(mail, ctx())).resolves.toBeTruthy();
    await clock.advance(60_000 - 5_000);
    expect(await fail(sb.invoke(mail, ctx()))).toMatchObject({ kind: 'auth' });
  });

  it('rate limits with the reset time of its window', async () => {
    const { sb, clock } = make({ rateLimit: { limit: 2, windowMs: 10_000 } });
    await sb.invoke(mail, ctx('a'));
    await clock.advance(4_000);
    await sb.invoke(mail, ctx('b'));
    expect(await fail(sb.invoke(mail, ctx('c')))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 6_000 });
    await clock.advance(6_000);
    await expect(sb.invoke(mail, ctx('d'))).resolves.toBeTruthy();
  });

  it('hangs until the signal fires: unknown_outcome for side effects', async () => {
    const { sb } = make({ hangRate: 1 });
    const e = await fail(sb.invoke(mail, invokeCtx({ capability: 'email_sending', timeoutMs: 50 })));
    expect(e).toMatchObject({ kind: 'unknown_outcome' });
    expect(sb.deliveries.size).toBe(0);
  });

  it('keeps bounded memory: records and keys are capped', async () => {
    const { sb } = make({ keepRecords: 10 });
    for (let i = 0; i < 1_000; i++) await sb.invoke(mail, ctx(`key-${i}`));
    expect(sb.records.length).toBeLessThan(20);
    expect(sb.records.at(-1)!.idempotencyKey).toBe('key-999');
    expect(sb.deliveries.get('key-999')).toBe(1);
  });
});
