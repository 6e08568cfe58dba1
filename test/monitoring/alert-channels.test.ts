/**
 * Alert channels against loopback receivers: Slack (Block Kit) and PagerDuty (Events API v2,
 * checked strictly: routing key, action, dedup key, payload) with retries and backoff, a
 * Standard Webhooks channel keeping its webhook-id across retries, final answers not retried,
 * and the per-channel counts /v1/status and the metrics show.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/monitoring/alerts/alert.js';
import { AlertNotifier } from '../../src/monitoring/alerts/alert-notifier.js';
import { api, makeApp, testConfig } from '../server/helpers.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
const FAST = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

function alert(type: Alert['type']): Alert {
  return {
    type,
    at: Date.UTC(2026, 11, 4),
    recommendation: {
      provider: 'esp_main',
      capability: 'email_sending',
      issueKey: 'auth',
      severity: 'critical',
      health: 'UNHEALTHY',
      issue: 'SendGrid refused the API key',
      action: 'Set a key with Mail Send access',
      firstSeen: 0,
      lastSeen: 0,
      occurrences: 1,
      resolvedAt: type === 'recommendation.resolved' ? 1 : null,
    },
  };
}

describe('alert channels', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  /** A receiver answering from a script of replies (the last one repeats). */
  async function receiver(
    replies: { status: number; body?: string; headers?: Record<string, string> }[],
    check?: (body: unknown) => string | null,
  ) {
    const got: { headers: Record<string, string | string[] | undefined>; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const body = JSON.parse(raw) as unknown;
        got.push({ headers: req.headers, body });
        const refused = check?.(body);
        if (refused) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: refused }));
        } else {
          const r = replies[Math.min(got.length - 1, replies.length - 1)]!;
          res.writeHead(r.status, r.headers).end(r.body ?? '');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXsecret` };
  }

  /** PagerDuty Events API v2 as documented: what it refuses with 400. */
  const pagerdutyCheck = (b: unknown): string | null => {
    const e = b as Record<string, unknown>;
    if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) return 'routing_key must be 32 characters';
    if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action))) return 'event_action is invalid';
    if (e.event_action !== 'trigger') return typeof e.dedup_key === 'string' ? null : 'dedup_key is required';
    const p = (e.payload ?? {}) as Record<string, unknown>;
    if (typeof p.summary !== 'string' || p.summary.length > 1024) return 'payload.summary is required (at most 1024 characters)';
    if (typeof p.source !== 'string') return 'payload.source is required';
    if (!['critical', 'error', 'warning', 'info'].includes(String(p.severity))) return 'payload.severity is invalid';
    return null;
  };

  it('Slack: a readable Block Kit message, retried through two 500s until delivered', async () => {
    const slack = await receiver([{ status: 500 }, { status: 500 }, { status: 200, body: 'ok' }]);
    const notifier = new AlertNotifier({
      channels: [{ type: 'slack', url: slack.url }],
      retry: FAST,
      dashboardUrl: 'https://gw.example.com/',
    });
    notifier.notify(alert('recommendation.opened'));
    await notifier.flush();
    expect(slack.got).toHaveLength(3);
    const body = slack.got[2]!.body as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe('Critical: email_sending / esp_main: SendGrid refused the API key');
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Critical: email_sending / esp_main' } });
    expect(body.blocks.map((b) => b.text?.text ?? b.elements?.[0]?.text)).toContain('*Action*\nSet a key with Mail Send access');
    expect(body.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '<https://gw.example.com/|Open the dashboard>' }],
    });
    expect(notifier.stats()).toEqual([
      { name: expect.stringMatching(/^slack:127\.0\.0\.1:\d+$/), type: 'slack', delivered: 1, failed: 0, retries: 2, lastFailure: null },
    ]);
  });

  it('PagerDuty: trigger then resolve under one dedup key; a 429 waits its Retry-After', async () => {
    const pd = await receiver(
      [
        { status: 429, headers: { 'retry-after': '0' } },
        { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed' }) },
      ],
      pagerdutyCheck,
    );
    const notifier = new AlertNotifier({ channels: [{ type: 'pagerduty', routingKey: ROUTING_KEY, url: pd.url }], retry: FAST });
    notifier.notify(alert('recommendation.opened'));
    await notifier.flush();
    notifier.notify(alert('recommendation.resolved'));
    await notifier.flush();
    const [, trigger, resolve] = pd.got.map((g) => g.body as Record<string, unknown>);
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'aicmo:email_sending:esp_main:auth',
      payload: { source: 'esp_main', severity: 'critical', component: 'esp_main', group: 'email_sending', class: 'auth' },
    });
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'aicmo:email_sending:esp_main:auth' });
    expect(notifier.stats()[0]).toMatchObject({ delivered: 2, failed: 0, retries: 1 });
  });

  it('a final answer (400) is not retried: counted as failed with its reason; a webhook keeps its id across retries', async () => {
    const bad = await receiver([{ status: 400, body: 'invalid_payload' }]);
    const hook = await receiver([{ status: 503 }, { status: 204 }]);
    const notifier = new AlertNotifier({
      channels: [
        { type: 'slack', url: bad.url, name: 'ops-slack' },
        { type: 'webhook', url: hook.url },
      ],
      retry: FAST,
    });
    notifier.notify(alert('recommendation.opened'));
    await notifier.flush();
    expect(bad.got).toHaveLength(1);
    expect(notifier.stats()[0]).toMatchObject({
      name: 'ops-slack',
      delivered: 0,
      failed: 1,
      retries: 0,
      lastFailure: { reason: 'HTTP 400' },
    });
    expect(hook.got.map((g) => g.headers['webhook-id'])).toEqual([hook.got[0]!.headers['webhook-id'], hook.got[0]!.headers['webhook-id']]);
  });

  it('/v1/status and /metrics show each channel by name or origin, never its secret path or key', async () => {
    const slack = await receiver([{ status: 404, body: 'no_service' }]);
    const { app: app2, gateway: gw2 } = await makeApp({
      config: testConfig({}, (raw) => {
        raw.monitoring = {
          intervalSeconds: 0,
          alerts: [
            { type: 'slack', url: slack.url },
            { type: 'pagerduty', routingKey: ROUTING_KEY, url: slack.url, name: 'pager' },
          ],
          alertRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        };
      }),
    });
    closers.push(async () => {
      await app2.close();
      await gw2.close();
    });
    gw2.monitoring.alerts.notify(alert('recommendation.opened'));
    await gw2.monitoring.alerts.flush();
    const status = (await app2.inject({ method: 'GET', url: '/v1/status', headers: api })).json<{
      alerts: { name: string; failed: number }[];
    }>();
    expect(status.alerts.map((a) => [a.name.replace(/:\d+$/, ':PORT'), a.failed])).toEqual([
      ['slack:127.0.0.1:PORT', 1],
      ['pager', 1],
    ]);
    const text = JSON.stringify(status) + (await app2.inject({ method: 'GET', url: '/metrics', headers: api })).body;
    expect(text).toContain('aicmo_alert_deliveries_total{channel="pager",outcome="failed"} 1');
    expect(text).not.toContain('XXXXsecret');
    expect(text).not.toContain(ROUTING_KEY);
  });
});
