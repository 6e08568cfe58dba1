import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertNotifier } from '../../src/monitoring/alerts/alert-notifier.js';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { captureLogger } from '../helpers/context.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('alerts', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function receiver(status = 204) {
    const got: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts?token=abc123secret` };
  }

  it('posts signed JSON on open and resolve, logs a line each time, suppresses repeats', async () => {
    const { got, url } = await receiver();
    const { logger, lines } = captureLogger();
    const alerts = new AlertNotifier({ channels: [{ type: 'webhook', url, secret: SECRET }], logger });
    const reg = new SelfCheckRegistry({ alerts });
    const rec = {
      provider: 'a',
      capability: 'x',
      issueKey: 'auth',
      severity: 'critical' as const,
      health: 'UNHEALTHY' as const,
      issue: 'refused',
      action: 'check key',
    };
    await reg.recordRecommendation(rec);
    await reg.recordRecommendation(rec);
    await reg.resolveRecommendation('a', 'x', 'auth');
    await reg.flushAlerts();
    expect(got).toHaveLength(2);
    const wh = new Webhook(SECRET);
    const first = wh.verify(got[0]!.body, got[0]!.headers as Record<string, string>) as {
      type: string;
      data: { issueKey: string; severity: string };
    };
    expect(first).toMatchObject({ type: 'recommendation.opened', data: { issueKey: 'auth', severity: 'critical' } });
    expect((wh.verify(got[1]!.body, got[1]!.headers as Record<string, string>) as { type: string }).type).toBe('recommendation.resolved');
    expect(got[0]!.headers['webhook-id']).not.toBe(got[1]!.headers['webhook-id']);
    expect(lines.filter((l) => l.includes('"alert"'))).toHaveLength(2);
    expect(lines[0]).toContain('"level":"error"');
  });

  it('a failing receiver is logged without the secret query string, never thrown', async () => {
    const { url } = await receiver(500);
    const { logger, lines } = captureLogger();
    const alerts = new AlertNotifier({
      channels: [
        { type: 'webhook', url },
        { type: 'webhook', url: 'http://127.0.0.1:1/x' },
      ],
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      logger,
    });
    alerts.notify({
      type: 'recommendation.opened',
      at: 0,
      recommendation: {
        provider: 'a',
        capability: 'x',
        issueKey: 'k',
        severity: 'warning',
        health: 'DEGRADED',
        issue: 'i',
        action: 'a',
        firstSeen: 0,
        lastSeen: 0,
        occurrences: 1,
        resolvedAt: null,
      },
    });
    await alerts.flush();
    const text = lines.join('\n');
    expect(text).toContain('"status":500');
    expect(text).toContain('alert delivery failed');
    expect(text).not.toContain('abc123secret');
  });
});
