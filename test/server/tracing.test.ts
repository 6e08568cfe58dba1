/**
 * OpenTelemetry: with an SDK registered (sdk-trace-base's in-memory exporter, the AsyncLocalStorage
 * context manager, the W3C propagator, as an application would), a request carrying a
 * `traceparent` yields one trace: the caller's span -> `aicmo.invoke` -> an `aicmo.attempt` per
 * provider called (outcome, error code, attempt number, failover reason) -> the webhook receiver,
 * which gets the attempt's `traceparent`. Probes are spans of their own. Without an SDK the
 * gateway sends no trace header at all.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig, type GatewayConfigInput } from '../../src/config/index.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createServer } from '../../src/server/index.js';
import { newWebhookSecret } from '../e2e/helpers/live-gateway.js';
import * as receiverSim from '../simulators/webhook-receiver.js';
import { silent } from './helpers.js';

const KEY = 'tracing-test-key-0123456789';
const secret = newWebhookSecret();
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const exporter = new InMemorySpanExporter();
let primary: receiverSim.WebhookReceiver;
let backup: receiverSim.WebhookReceiver;
let gateway: Gateway;
let app: FastifyInstance;

function hook(name: string, url: string) {
  return { name, type: 'webhook', options: { url: `${url}/hooks`, secrets: [secret], allowHttp: true, allowHosts: ['127.0.0.1'] } };
}

beforeAll(async () => {
  primary = await receiverSim.start({ secrets: [secret] });
  backup = await receiverSim.start({ secrets: [secret] });
  const raw: GatewayConfigInput = {
    mode: 'live',
    store: 'memory:',
    logLevel: 'silent',
    server: { apiKeys: [KEY] },
    monitoring: { intervalSeconds: 0 },
    capabilities: {
      webhook_dispatch: {
        retry: { maxAttemptsPerProvider: 1 },
        providers: [hook('hook_primary', primary.url), hook('hook_backup', backup.url)],
      },
    },
  };
  gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
  app = createServer(gateway, { logger: silent(), periodicChecks: false });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await gateway.close();
  await primary.close();
  await backup.close();
});

const send = (headers: Record<string, string>, key: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/capabilities/webhook_dispatch',
    headers: { authorization: `Bearer ${KEY}`, 'idempotency-key': key, ...headers },
    payload: { event: 'contact.created', payload: { id: 1 } },
  });

describe('without a tracing SDK', () => {
  it('records nothing and sends no traceparent', async () => {
    const res = await send({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, 'no-sdk');
    expect(res.statusCode).toBe(200);
    const delivered = [...primary.requests, ...backup.requests].filter((r) => r.headers['webhook-id'] === 'no-sdk');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.headers.traceparent).toBeUndefined();
  });
});

describe('with an SDK registered', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const spans = (prefix: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith(prefix));
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

  it("continues the caller's trace: invocation -> attempts with the failover reason -> the receiver", async () => {
    primary.fail('unavailable', { times: 1 });
    const res = await send({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, 'traced-1');
    expect(res.statusCode).toBe(200);
    expect(res.json<{ provider: string }>().provider).toBe('hook_backup');

    const [invoke] = spans('aicmo.invoke');
    expect(spans('aicmo.invoke')).toHaveLength(1);
    expect(invoke!.name).toBe('aicmo.invoke webhook_dispatch');
    expect(invoke!.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(invoke!)).toBe(CALLER_SPAN);
    expect(invoke!.attributes).toMatchObject({
      'aicmo.capability': 'webhook_dispatch',
      'aicmo.outcome': 'success',
      'aicmo.provider': 'hook_backup',
      'aicmo.attempts': 2,
    });

    const attempts = spans('aicmo.attempt').sort((a, b) => Number(a.attributes['aicmo.attempt']) - Number(b.attributes['aicmo.attempt']));
    expect(attempts.map((s) => s.name)).toEqual(['aicmo.attempt hook_primary', 'aicmo.attempt hook_backup']);
    for (const a of attempts) {
      expect(a.spanContext().traceId).toBe(CALLER_TRACE);
      expect(parentOf(a)).toBe(invoke!.spanContext().spanId);
    }
    expect(attempts[0]!.attributes).toMatchObject({
      'aicmo.provider': 'hook_primary',
      'aicmo.attempt': 1,
      'aicmo.outcome': 'transient',
      'aicmo.error.code': 'GW_PROVIDER_TRANSIENT',
    });
    expect(attempts[0]!.status.code).toBe(2); // ERROR
    expect(attempts[1]!.attributes).toMatchObject({
      'aicmo.provider': 'hook_backup',
      'aicmo.attempt': 2,
      'aicmo.outcome': 'success',
      'aicmo.failover.reason': 'transient GW_PROVIDER_TRANSIENT',
    });
    expect(attempts[1]!.attributes['aicmo.error.code']).toBeUndefined();

    // Each receiver saw the traceparent of the attempt that called it.
    const header = (r: receiverSim.WebhookReceiver) => r.requests.find((q) => q.headers['webhook-id'] === 'traced-1')?.headers.traceparent;
    expect(header(primary)).toBe(`00-${CALLER_TRACE}-${attempts[0]!.spanContext().spanId}-01`);
    expect(header(backup)).toBe(`00-${CALLER_TRACE}-${attempts[1]!.spanContext().spanId}-01`);
  });

  it('starts a trace of its own without a traceparent, and marks a failed invocation with its code', async () => {
    primary.fail('unavailable', { times: 1 });
    backup.fail('unavailable', { times: 1 });
    const res = await send({}, 'traced-2');
    expect(res.statusCode).toBe(202); // queued in the outbox after both failed
    const [invoke] = spans('aicmo.invoke');
    expect(parentOf(invoke!)).toBeUndefined();
    expect(invoke!.attributes).toMatchObject({
      'aicmo.outcome': 'transient',
      'aicmo.error.code': 'GW_ALL_PROVIDERS_FAILED',
      'aicmo.attempts': 2,
    });
    expect(invoke!.status.code).toBe(2);
  });

  it('records a provider passed over (an isolated one) as an event of the invocation', async () => {
    await gateway.admin('hook_primary', 'isolate', 'test');
    try {
      expect((await send({}, 'traced-3')).statusCode).toBe(200);
    } finally {
      await gateway.admin('hook_primary', 'reset', 'test');
    }
    const [invoke] = spans('aicmo.invoke');
    expect(spans('aicmo.attempt').map((s) => s.name)).toEqual(['aicmo.attempt hook_backup']);
    expect(invoke!.events.map((e) => [e.name, e.attributes?.['aicmo.provider']])).toEqual([['aicmo.skipped', 'hook_primary']]);
  });

  it('gives each probe a span with its outcome', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/self-check', headers: { authorization: `Bearer ${KEY}` } });
    expect(res.statusCode).toBe(200);
    const probes = spans('aicmo.probe');
    expect(probes.map((s) => s.name).sort()).toEqual(['aicmo.probe hook_backup', 'aicmo.probe hook_primary']);
    for (const p of probes) expect(p.attributes['aicmo.capability']).toBe('webhook_dispatch');
    const results = res.json<{ results: { provider: string; success: boolean }[] }>().results;
    for (const p of probes) {
      const seen = results.find((r) => r.provider === p.attributes['aicmo.provider']);
      expect(p.attributes['aicmo.outcome'] === 'success', String(p.name)).toBe(seen?.success);
    }
    expect(probes.find((p) => p.name === 'aicmo.probe hook_backup')!.attributes['aicmo.outcome']).toBe('success');
  });
});
