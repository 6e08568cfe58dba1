/** A copy of the config with every secret replaced, for printing, --json, the API and logs. */
import { urlOrigin } from '../providers/http/scrub.js';
import { getProviderType } from '../providers/index.js';
import type { GatewayConfig } from './schema.js';

const REDACTED = '[redacted]';

function redactPath(obj: Record<string, unknown>, dotted: string): void {
  const parts = dotted.split('.');
  let cur: unknown = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[parts[i]!];
  }
  if (cur && typeof cur === 'object') {
    const last = parts[parts.length - 1]!;
    const target = cur as Record<string, unknown>;
    if (target[last] === undefined) return;
    target[last] = Array.isArray(target[last]) ? (target[last] as unknown[]).map(() => REDACTED) : REDACTED;
  }
}

export function redactStoreUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, cred: string) => `//${cred.includes(':') ? `${cred.split(':')[0]}:${REDACTED}` : REDACTED}@`);
}

export function redactConfig(config: GatewayConfig): GatewayConfig {
  const copy = structuredClone(config);
  copy.store = redactStoreUrl(copy.store);
  const keys = (list: GatewayConfig['server']['apiKeys']) => list.map((k) => (typeof k === 'string' ? REDACTED : { ...k, key: REDACTED }));
  copy.server.apiKeys = keys(copy.server.apiKeys);
  copy.server.adminKeys = keys(copy.server.adminKeys);
  // An alert URL can carry its credential in the path (Slack, Teams): only its origin is shown.
  copy.monitoring.alertWebhooks = copy.monitoring.alertWebhooks.map((w) => ({
    ...w,
    url: urlOrigin(w.url),
    ...(w.secret ? { secret: REDACTED } : {}),
  }));
  const d = copy.deliverability;
  if (d.unsubscribe.secret !== undefined) d.unsubscribe.secret = REDACTED;
  d.receivers = d.receivers.map((r) => {
    switch (r.type) {
      case 'mailgun':
        return { ...r, signingKey: REDACTED };
      case 'postmark':
        return { ...r, password: REDACTED };
      case 'standard':
        return { ...r, secrets: r.secrets.map(() => REDACTED) };
      default:
        return r;
    }
  });
  copy.monitoring.alerts = copy.monitoring.alerts.map((a) => {
    if (a.type === 'pagerduty') return { ...a, routingKey: REDACTED };
    if (a.type === 'slack') return { ...a, url: urlOrigin(a.url) };
    return { ...a, url: urlOrigin(a.url), ...(a.secret ? { secret: REDACTED } : {}) };
  });
  for (const cap of Object.values(copy.capabilities)) {
    for (const p of cap?.providers ?? []) {
      const def = getProviderType(p.type);
      for (const path of def?.secrets ?? []) redactPath(p.options, path);
      // Belt and braces: any option whose name says it is a secret.
      for (const [k, v] of Object.entries(p.options)) {
        if (typeof v === 'string' && /(pass(word)?|secret|token|api_?key|apikey|credential)s?$/i.test(k)) p.options[k] = REDACTED;
      }
    }
  }
  return copy;
}

/** Every secret value in the config (to assert in tests that none leaks). */
export function secretValues(config: GatewayConfig): string[] {
  const redacted = redactConfig(config);
  const out: string[] = [];
  const walk = (a: unknown, b: unknown): void => {
    const hidden = b === REDACTED || (typeof b === 'string' && b.endsWith(`/${REDACTED}`) && a !== b);
    if (typeof a === 'string' && hidden && a !== REDACTED && a.length > 0) out.push(a);
    else if (a && typeof a === 'object' && b && typeof b === 'object') {
      for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
    }
  };
  walk(config, redacted);
  return out;
}
