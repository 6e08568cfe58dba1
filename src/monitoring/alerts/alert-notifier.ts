/**
 * Sends alerts as a log line and to each configured channel (./channels.ts: signed webhook,
 * Slack, PagerDuty). A delivery is retried with exponential backoff (honouring `Retry-After`)
 * on a network error, 408, 429 or 5xx, up to `retry.attempts`; any other answer is final. A
 * failure is logged and counted per channel (`stats()`: /v1/status and the metrics), never
 * thrown. Channel URLs are shown by origin only: a Slack URL is its own credential.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { parseRetryAfter } from '../../providers/http/retry-after.js';
import { urlOrigin } from '../../providers/http/scrub.js';
import type { Alert, AlertSink } from './alert.js';
import { outgoing, type AlertChannelConfig } from './channels.js';

export interface AlertRetry {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface AlertNotifierOptions {
  channels?: readonly AlertChannelConfig[];
  retry?: AlertRetry;
  /** Linked from Slack messages and PagerDuty incidents. */
  dashboardUrl?: string;
  logger?: Logger;
  clock?: Clock;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface AlertChannelStats {
  name: string;
  type: AlertChannelConfig['type'];
  delivered: number;
  failed: number;
  retries: number;
  lastFailure: { at: number; reason: string } | null;
}

const DEFAULT_RETRY: AlertRetry = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** A channel's name: its own, else type and the URL's origin (never the URL's path or key). */
function channelName(c: AlertChannelConfig): string {
  return c.name ?? `${c.type}:${new URL(c.url).host}`;
}

export class AlertNotifier implements AlertSink {
  private readonly pending = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly retry: AlertRetry;
  private readonly channels: { config: AlertChannelConfig; stats: AlertChannelStats }[];

  constructor(private readonly opts: AlertNotifierOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.channels = (opts.channels ?? []).map((config) => ({
      config,
      stats: { name: channelName(config), type: config.type, delivered: 0, failed: 0, retries: 0, lastFailure: null },
    }));
  }

  notify(alert: Alert): void {
    const r = alert.recommendation;
    const fields = { alert: alert.type, severity: r.severity, provider: r.provider, capability: r.capability, issueKey: r.issueKey };
    const line = `${alert.type === 'recommendation.resolved' ? 'resolved' : r.severity.toUpperCase()}: ${r.capability}/${r.provider}: ${r.issue}`;
    if (alert.type === 'recommendation.resolved') this.logger.info(fields, line);
    else if (r.severity === 'critical') this.logger.error(fields, line);
    else this.logger.warn(fields, line);
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    for (const channel of this.channels) {
      const p = this.deliver(channel, alert, id).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Per channel: deliveries, failures (after every retry), retries, the last failure. */
  stats(): AlertChannelStats[] {
    return this.channels.map((c) => ({ ...c.stats }));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async deliver(channel: { config: AlertChannelConfig; stats: AlertChannelStats }, alert: Alert, id: string): Promise<void> {
    const { config, stats } = channel;
    let reason = '';
    let status: number | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      attempts = attempt;
      if (attempt > 1) stats.retries++;
      const req = outgoing(config, alert, id, this.clock.now(), this.opts.dashboardUrl);
      let wait: number | undefined;
      try {
        const res = await (this.opts.fetch ?? fetch)(config.url, {
          method: 'POST',
          headers: req.headers,
          body: req.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          stats.delivered++;
          return;
        }
        status = res.status;
        reason = `HTTP ${res.status}`;
        if (!(res.status === 408 || res.status === 429 || res.status >= 500)) break;
        wait = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
      } catch (error) {
        status = undefined;
        reason = error instanceof Error ? error.name : 'error';
      }
      if (attempt < this.retry.attempts) {
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.clock.sleep(Math.min(this.retry.maxDelayMs, Math.max(backoff, wait ?? 0)));
      }
    }
    stats.failed++;
    stats.lastFailure = { at: this.clock.now(), reason };
    this.logger.warn(
      {
        channel: stats.name,
        url: urlOrigin(config.url),
        reason,
        ...(status !== undefined ? { status } : {}),
        attempts,
      },
      'alert delivery failed',
    );
  }
}
