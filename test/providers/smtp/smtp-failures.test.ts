/** Failure kinds against real peers: replies by class, dropped and hanging connections, the deadline. */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/errors.js';
import { errorText, invokeCtx } from '../../helpers/context.js';
import { makeSmtp, PASS, plainOptions, USER } from './make-smtp.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

const request = { to: 'lead@example.com', subject: 'Hello', text: 'Hi' };
const AUTH_PLAIN = Buffer.from(`\0${USER}\0${PASS}`).toString('base64');

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(GatewayError);
  return e as GatewayError;
}

describe.each([false, true])('smtp failures (pool: %s)', (pool) => {
  let server: TestSmtpServer;
  let smtp: ReturnType<typeof makeSmtp>;
  const send = (timeoutMs = 5_000) =>
    smtp.provider.invoke(request, invokeCtx({ capability: 'email_sending', provider: 'smtp_test', timeoutMs }));

  beforeAll(async () => {
    server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    smtp = makeSmtp(plainOptions(server.port, { pool }));
  });
  afterAll(async () => {
    await smtp.provider.close?.();
    await server.close();
  });
  beforeEach(() => {
    server.behaviour = {};
    server.received.length = 0;
  });

  it('421 at the greeting with a named wait: rate_limited with that retryAfterMs', async () => {
    server.behaviour = { connect: { code: 421, message: '4.7.0 Too many connections, try again in 2 minutes' } };
    const e = await failure(send());
    expect([e.code, e.kind, e.status, e.retryAfterMs]).toEqual(['GW_PROVIDER_RATE_LIMITED', 'rate_limited', 421, 120_000]);
  });

  it('421 service shutting down (no throttle wording): transient', async () => {
    server.behaviour = { connect: { code: 421, message: 'Service shutting down' } };
    const e = await failure(send());
    expect([e.code, e.kind, e.status]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient', 421]);
  });

  it('451 after the message data: transient (the server refused it explicitly)', async () => {
    server.behaviour = { data: { code: 451, message: '4.3.0 Temporary local problem' } };
    const e = await failure(send());
    expect([e.code, e.kind, e.status]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient', 451]);
  });

  it('535 whose reply echoes the credentials: auth, and the error text is scrubbed', async () => {
    server.behaviour = { auth: { code: 535, message: `5.7.8 bad login ${AUTH_PLAIN} ${PASS}` } };
    const e = await failure(send());
    expect([e.code, e.kind, e.status]).toEqual(['GW_PROVIDER_AUTH', 'auth', 535]);
    const text = errorText(e);
    expect(text).not.toContain(PASS);
    expect(text).not.toContain(AUTH_PLAIN);
    expect(smtp.logs.join('\n')).not.toContain(PASS);
  });

  it('connection dropped after the message data: unknown_outcome', async () => {
    server.behaviour = { dropAfterData: true };
    const e = await failure(send());
    expect([e.code, e.kind]).toEqual(['GW_UNKNOWN_OUTCOME', 'unknown_outcome']);
  });

  it('server silent after the message data: unknown_outcome at the attempt deadline', async () => {
    server.behaviour = { hangAfterData: true };
    const started = Date.now();
    const e = await failure(send(500));
    expect([e.code, e.kind]).toEqual(['GW_UNKNOWN_OUTCOME', 'unknown_outcome']);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('no greeting: timeout at the attempt deadline (nothing was sent)', async () => {
    server.behaviour = { hangAtConnect: true };
    const started = Date.now();
    const e = await failure(send(400));
    expect([e.code, e.kind]).toEqual(['GW_PROVIDER_TIMEOUT', 'timeout']);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('recovers after failures: the next send succeeds', async () => {
    await send();
    expect(server.received).toHaveLength(1);
  });
});

describe('smtp: connection-level failures', () => {
  it('connection refused: transient', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { provider } = makeSmtp(plainOptions(port));
    const e = await failure(provider.invoke(request, invokeCtx({ capability: 'email_sending' })));
    expect([e.code, e.kind]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient']);
    expect(e.details?.networkCode).toBe('ECONNREFUSED');
  });

  it("nodemailer's own greeting timeout before any data: transient, not unknown_outcome", async () => {
    const server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    server.behaviour = { hangAtConnect: true };
    const { provider } = makeSmtp(plainOptions(server.port, { greetingTimeoutMs: 200 }));
    const e = await failure(provider.invoke(request, invokeCtx({ capability: 'email_sending' })));
    expect([e.code, e.kind]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient']);
    await server.close();
  });

  it('an already aborted signal: timeout, no connection made', async () => {
    const server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    const { provider } = makeSmtp(plainOptions(server.port));
    const controller = new AbortController();
    controller.abort();
    const e = await failure(provider.invoke(request, invokeCtx({ capability: 'email_sending', signal: controller.signal })));
    expect(e.kind).toBe('timeout');
    expect(server.authAttempts).toBe(0);
    await server.close();
  });

  it('no host and no preset: not_configured', async () => {
    const { provider } = makeSmtp({ from: 'a@b.example', allowInsecure: true });
    const e = await failure(provider.invoke(request, invokeCtx({ capability: 'email_sending' })));
    expect([e.code, e.kind]).toEqual(['GW_NOT_CONFIGURED', 'not_configured']);
  });
});
