/** The ledger's answers through the API: replay, in flight (wait / 409), mismatch (422), unknown outcome (502, resolvable). */
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryConfig, deliveryFixture, hook, post, type DeliveryFixture } from './helpers.js';

describe('idempotency ledger through the API', () => {
  let f: DeliveryFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });
  const sandboxCalls = (name: string) => f!.gateway.getSandbox(name)!.calls;
  const delivered = (name: string, key: string) => f!.gateway.getSandbox(name)!.deliveries.get(key) ?? 0;

  it('replays a completed key with the stored result and calls no provider', async () => {
    f = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a' }] }));
    const first = await post(f.app, hook(), { 'idempotency-key': 'k-replay' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ provider: 'hook_a', idempotencyKey: 'k-replay', replayed: false });
    // Same request with its keys in another order: same fingerprint.
    const again = await post(f.app, { payload: { n: 1 }, event: 'contact.created' }, { 'idempotency-key': 'k-replay' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().result).toEqual(first.json().result);
    expect(sandboxCalls('hook_a')).toBe(1);
    expect(delivered('hook_a', 'k-replay')).toBe(1);
  });

  it('answers 422 GW_IDEMPOTENCY_MISMATCH for the same key with a different request', async () => {
    f = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a' }] }));
    expect((await post(f.app, hook(1), { 'idempotency-key': 'k-mm' })).statusCode).toBe(200);
    const res = await post(f.app, hook(2), { 'idempotency-key': 'k-mm' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'GW_IDEMPOTENCY_MISMATCH', kind: 'invalid_request' });
    expect(sandboxCalls('hook_a')).toBe(1);
  });

  it('refuses a key in flight with 409 when inFlight is reject', async () => {
    f = await deliveryFixture(
      deliveryConfig({ providers: [{ name: 'hook_a', sandbox: { latencyMs: 300 } }], delivery: { inFlight: 'reject' } }),
    );
    const [a, b] = await Promise.all([
      post(f.app, hook(), { 'idempotency-key': 'k-if' }),
      new Promise((r) => setTimeout(r, 50)).then(() => post(f!.app, hook(), { 'idempotency-key': 'k-if' })),
    ]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(409);
    expect(b.json().error.code).toBe('GW_IDEMPOTENCY_IN_FLIGHT');
    expect(delivered('hook_a', 'k-if')).toBe(1);
  });

  it('waits for a key in flight and answers with its result when inFlight is wait', async () => {
    f = await deliveryFixture(
      deliveryConfig({ providers: [{ name: 'hook_a', sandbox: { latencyMs: 300 } }], delivery: { inFlight: 'wait' } }),
    );
    const [a, b] = await Promise.all([
      post(f.app, hook(), { 'idempotency-key': 'k-wait' }),
      new Promise((r) => setTimeout(r, 50)).then(() => post(f!.app, hook(), { 'idempotency-key': 'k-wait' })),
    ]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().result).toEqual(a.json().result);
    expect(sandboxCalls('hook_a')).toBe(1);
  });

  it('records an unknown outcome, reports it on replay, and lets the operator resolve it', async () => {
    f = await deliveryFixture(
      deliveryConfig({ providers: [{ name: 'hook_a', sandbox: { hangRate: 1 }, limits: { attemptTimeoutMs: 100 } }, { name: 'hook_b' }] }),
    );
    const res = await post(f.app, hook(), { 'idempotency-key': 'k-unk' });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({ code: 'GW_UNKNOWN_OUTCOME', kind: 'unknown_outcome' });
    expect(sandboxCalls('hook_b')).toBe(0); // never risk a duplicate
    const replay = await post(f.app, hook(), { 'idempotency-key': 'k-unk' });
    expect(replay.statusCode).toBe(502);
    expect(replay.json().error.details).toMatchObject({ ledgerState: 'unknown_outcome', replayed: true });
    const entry = await f.app.inject({ method: 'GET', url: '/v1/idempotency/k-unk' });
    expect(entry.json().entry.state).toBe('unknown_outcome');
    await f.service.resolve('k-unk', true);
    const resolved = await post(f.app, hook(), { 'idempotency-key': 'k-unk' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ result: null, replayed: true });
    expect(sandboxCalls('hook_a')).toBe(1);
  });

  it('releases a key after a transient failure of a read capability so it can be retried', async () => {
    f = await deliveryFixture(deliveryConfig({ capability: 'email_verification', providers: [{ name: 'ver_a' }] }));
    const sandbox = f.gateway.getSandbox('ver_a')!;
    sandbox.setFailure('transient');
    const url = '/v1/capabilities/email_verification';
    const fail = await f.app.inject({ method: 'POST', url, payload: { email: 'a@example.com' }, headers: { 'idempotency-key': 'k-read' } });
    expect(fail.statusCode).toBe(503);
    sandbox.setFailure(null);
    const ok = await f.app.inject({ method: 'POST', url, payload: { email: 'a@example.com' }, headers: { 'idempotency-key': 'k-read' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
  });
});
