/**
 * One signed Standard Webhooks delivery, shared by the `webhook`, `crm_webhook` and
 * `social_webhook` types: guard the destination, build `{type, timestamp, data}`, sign it
 * with every active secret, POST it without following redirects, map the answer.
 *
 * The body's `timestamp` is the time of the event (the caller's `occurredAt`, else when the
 * gateway accepted the request), so every retry of one webhook-id carries the same bytes; only
 * the `webhook-timestamp` header (the attempt's time, which the signature covers) changes.
 */
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext } from '../../core/provider.js';
import { injectTraceHeaders } from '../../core/tracing.js';
import { httpRequest } from '../http/client.js';
import { scrubUrl } from '../http/scrub.js';
import { checkDestination, type LookupAll } from './destination-guard.js';
import { mapReceiverError } from './errors.js';
import type { WebhookOptions } from './options.js';
import { signatureHeader } from './signature.js';
import { webhookIdFor } from './webhook-id.js';

export interface Delivery {
  webhookId: string;
  status: number;
  deliveredAt: string;
  /** The receiver's JSON answer, when it sent one. */
  json: unknown;
}

export interface DeliverDeps {
  clock: Clock;
  /** Replaces DNS resolution (tests). */
  lookup?: LookupAll;
}

const USER_AGENT = 'aicmo-gateway-webhooks/1';

export async function deliverWebhook(
  options: WebhookOptions,
  event: { type: string; data: unknown; url?: string | undefined; occurredAt?: string | undefined },
  ctx: InvokeContext,
  deps: DeliverDeps,
): Promise<Delivery> {
  const provider = ctx.provider;
  const secrets = options.secrets;
  if (!secrets || secrets.length === 0) {
    throw new GatewayError('GW_NOT_CONFIGURED', `${provider}: no signing secret is configured (option secrets)`, {
      provider,
      details: { missing: 'secrets' },
    });
  }
  if (event.url !== undefined && !options.allowRequestUrl) {
    throw new GatewayError(
      'GW_DESTINATION_REFUSED',
      `${provider}: a request URL is not allowed; the provider posts to its configured url (option allowRequestUrl)`,
      {
        provider,
        capability: ctx.capability,
        details: { reason: 'request_url_not_allowed', field: 'url' },
      },
    );
  }
  const target = event.url ?? options.url;
  if (!target) {
    throw new GatewayError('GW_NOT_CONFIGURED', `${provider}: no destination url is configured (option url)`, {
      provider,
      details: { missing: 'url' },
    });
  }
  const dest = await checkDestination(target, options, { provider, signal: ctx.signal, lookup: deps.lookup });

  const webhookId = webhookIdFor(ctx.idempotencyKey);
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const occurredAt = event.occurredAt ?? new Date(ctx.acceptedAt).toISOString();
  const body = JSON.stringify({ type: event.type, timestamp: occurredAt, data: event.data });
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs)]);
  const secretValues = [...secrets, dest.url.pathname.length > 1 ? dest.url.pathname : undefined, dest.url.search || undefined];

  let res;
  try {
    res = await httpRequest({
      method: 'POST',
      url: dest.url.href,
      // traceparent: the receiver can join the attempt's trace (no header without a tracing SDK).
      headers: injectTraceHeaders({
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(secrets, webhookId, timestamp, body),
      }),
      body,
      signal,
      provider,
      sideEffects: true,
      secrets: secretValues,
      urlOption: 'url',
      maxBytes: 256 * 1024,
    });
  } catch (error) {
    throw withoutPath(error, dest.url, dest.display, ctx.capability);
  }
  if (res.status >= 200 && res.status < 300) {
    return { webhookId, status: res.status, deliveredAt: new Date(deps.clock.now()).toISOString(), json: res.json };
  }
  throw mapReceiverError(res, {
    provider,
    capability: ctx.capability,
    display: dest.display,
    now: deps.clock.now(),
    secrets: secretValues,
  });
}

/** Rebuilds an HTTP client error so its message names only the destination's scheme and host. */
function withoutPath(error: unknown, url: URL, display: string, capability: string): unknown {
  if (!(error instanceof GatewayError)) return error;
  const message = error.message.split(scrubUrl(url.href)).join(display).split(url.href).join(display);
  return new GatewayError(error.code, message, {
    kind: error.kind,
    provider: error.provider,
    capability: error.capability ?? capability,
    status: error.status,
    retryAfterMs: error.retryAfterMs,
    details: error.details,
  });
}
