/**
 * Sends alerts as a log line and, when configured, as signed JSON POSTs (Standard Webhooks:
 * `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`).
 * Delivery is best effort: one attempt with a timeout; a failure is logged, never thrown.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { urlOrigin } from '../../providers/http/scrub.js';
import { decodeSecret } from '../../providers/webhook/signature.js';
import type { Alert, AlertSink, AlertWebhookConfig } from './alert.js';

export interface AlertNotifierOptions {
  webhooks?: readonly AlertWebhookConfig[];
  logger?: Logger;
  clock?: Clock;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class AlertNotifier implements AlertSink {
  private readonly pending = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly clock: Clock;

  constructor(private readonly opts: AlertNotifierOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
  }

  notify(alert: Alert): void {
    const r = alert.recommendation;
    const fields = { alert: alert.type, severity: r.severity, provider: r.provider, capability: r.capability, issueKey: r.issueKey };
    const line = `${alert.type === 'recommendation.resolved' ? 'resolved' : r.severity.toUpperCase()}: ${r.capability}/${r.provider}: ${r.issue}`;
    if (alert.type === 'recommendation.resolved') this.logger.info(fields, line);
    else if (r.severity === 'critical') this.logger.error(fields, line);
    else this.logger.warn(fields, line);
    for (const hook of this.opts.webhooks ?? []) {
      const p = this.deliver(hook, alert).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async deliver(hook: AlertWebhookConfig, alert: Alert): Promise<void> {
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const ts = Math.floor(this.clock.now() / 1000);
    const body = JSON.stringify({ type: alert.type, timestamp: new Date(alert.at).toISOString(), data: alert.recommendation });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
    };
    if (hook.secret) headers['webhook-signature'] = signAlert(hook.secret, id, ts, body);
    try {
      const res = await (this.opts.fetch ?? fetch)(hook.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) {
        this.logger.warn({ url: urlOrigin(hook.url), status: res.status }, 'alert webhook refused the alert');
      }
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      this.logger.warn({ url: urlOrigin(hook.url), reason }, 'alert webhook delivery failed');
    }
  }
}

/** `v1,<base64 HMAC-SHA256 over ${id}.${ts}.${body}>`, keyed by the decoded `whsec_` secret (else its UTF-8 bytes). */
export function signAlert(secret: string, id: string, ts: number, body: string): string {
  const key = decodeSecret(secret) ?? Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`, 'utf8').digest('base64')}`;
}
