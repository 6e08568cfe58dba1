/**
 * What one alert looks like on each channel (`monitoring.alerts[].type`):
 * - `webhook`: Standard Webhooks JSON `{type, timestamp, data: recommendation}`, signed when a
 *   secret is set; the same `webhook-id` on every retry of one alert (a receiver deduplicates);
 * - `slack`: an incoming webhook's Block Kit message: severity and what happened as a header,
 *   provider and capability, the action, and a link to the dashboard when `dashboardUrl` is set;
 * - `pagerduty`: an Events API v2 `trigger` (or `resolve`) with one dedup key per recommendation
 *   (`aicmo:<capability>:<provider>:<issueKey>`), so a resolve closes the incident it opened.
 */
import { createHmac } from 'node:crypto';
import { decodeSecret } from '../../providers/webhook/signature.js';
import type { Alert } from './alert.js';

export type AlertChannelConfig =
  | { type: 'webhook'; url: string; secret?: string | undefined; name?: string | undefined }
  | { type: 'slack'; url: string; name?: string | undefined }
  | { type: 'pagerduty'; routingKey: string; url: string; name?: string | undefined };

export interface Outgoing {
  headers: Record<string, string>;
  body: string;
}

/** `v1,<base64 HMAC-SHA256 over ${id}.${ts}.${body}>`, keyed by the decoded `whsec_` secret (else its UTF-8 bytes). */
export function signAlert(secret: string, id: string, ts: number, body: string): string {
  const key = decodeSecret(secret) ?? Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`, 'utf8').digest('base64')}`;
}

const SEVERITY_WORD = { critical: 'Critical', warning: 'Warning', info: 'Info' } as const;

/** The request of one attempt: `id` is the alert's (the same on every retry), `now` this attempt's time. */
export function outgoing(channel: AlertChannelConfig, alert: Alert, id: string, now: number, dashboardUrl?: string): Outgoing {
  const r = alert.recommendation;
  const json = { 'content-type': 'application/json' };
  if (channel.type === 'webhook') {
    const ts = Math.floor(now / 1000);
    const body = JSON.stringify({ type: alert.type, timestamp: new Date(alert.at).toISOString(), data: r });
    const headers: Record<string, string> = { ...json, 'webhook-id': id, 'webhook-timestamp': String(ts) };
    if (channel.secret) headers['webhook-signature'] = signAlert(channel.secret, id, ts, body);
    return { headers, body };
  }
  const resolved = alert.type === 'recommendation.resolved';
  if (channel.type === 'slack') {
    const title = resolved ? `Resolved: ${r.capability} / ${r.provider}` : `${SEVERITY_WORD[r.severity]}: ${r.capability} / ${r.provider}`;
    const blocks: unknown[] = [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: r.issue.slice(0, 3000) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Provider*\n${r.provider}` },
          { type: 'mrkdwn', text: `*Capability*\n${r.capability}` },
          { type: 'mrkdwn', text: `*Severity*\n${r.severity}` },
          { type: 'mrkdwn', text: `*Health*\n${r.health}` },
        ],
      },
    ];
    if (!resolved) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Action*\n${r.action.slice(0, 2900)}` } });
    if (dashboardUrl) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${dashboardUrl}|Open the dashboard>` }] });
    return { headers: json, body: JSON.stringify({ text: `${title}: ${r.issue}`.slice(0, 3000), blocks }) };
  }
  const dedupKey = `aicmo:${r.capability}:${r.provider}:${r.issueKey}`.slice(0, 255);
  if (resolved)
    return { headers: json, body: JSON.stringify({ routing_key: channel.routingKey, event_action: 'resolve', dedup_key: dedupKey }) };
  return {
    headers: json,
    body: JSON.stringify({
      routing_key: channel.routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: `${SEVERITY_WORD[r.severity]}: ${r.capability}/${r.provider}: ${r.issue}`.slice(0, 1024),
        source: r.provider,
        severity: r.severity,
        component: r.provider,
        group: r.capability,
        class: r.issueKey,
        custom_details: { issue: r.issue, action: r.action, health: r.health, occurrences: r.occurrences },
      },
      client: 'AICMO Gateway',
      ...(dashboardUrl ? { client_url: dashboardUrl, links: [{ href: dashboardUrl, text: 'AICMO Gateway dashboard' }] } : {}),
    }),
  };
}
