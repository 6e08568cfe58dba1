/** The `webhook` adapter (webhook_dispatch): one signed Standard Webhooks delivery per request. */
import type { WebhookDispatchRequest, WebhookDispatchResult } from '../../capabilities/webhook-dispatch.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import type { ProviderDeps } from '../types.js';
import { deliverWebhook } from './deliver.js';
import type { LookupAll } from './destination-guard.js';
import type { WebhookOptions } from './options.js';
import { probeWebhookDestination } from './probe.js';

export interface WebhookAdapterExtras {
  /** Replaces DNS resolution (tests). */
  lookup?: LookupAll;
}

export function createWebhookProvider(
  name: string,
  options: WebhookOptions,
  deps: ProviderDeps,
  extras: WebhookAdapterExtras = {},
): Provider<WebhookDispatchRequest, WebhookDispatchResult> {
  return {
    name,
    type: 'webhook',
    deduplicates: true,
    async invoke(request: WebhookDispatchRequest, ctx: InvokeContext): Promise<WebhookDispatchResult> {
      const event = { type: request.event, data: request.payload, url: request.url, occurredAt: request.occurredAt };
      const delivery = await deliverWebhook(options, event, ctx, { clock: deps.clock, lookup: extras.lookup });
      return { webhookId: delivery.webhookId, status: delivery.status, deliveredAt: delivery.deliveredAt };
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeWebhookDestination(options, ctx, extras.lookup);
    },
  };
}
