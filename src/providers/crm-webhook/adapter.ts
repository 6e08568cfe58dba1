/** The `crm_webhook` adapter (crm_sync): all records in one signed `crm.records.upsert` delivery. */
import type { CrmSyncRequest, CrmSyncResult } from '../../capabilities/crm-sync.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import type { ProviderDeps } from '../types.js';
import type { WebhookAdapterExtras } from '../webhook/adapter.js';
import { deliverWebhook } from '../webhook/deliver.js';
import { probeWebhookDestination } from '../webhook/probe.js';
import type { CrmWebhookOptions } from './options.js';
import { crmResultFromAnswer } from './receiver-answer.js';

export function createCrmWebhookProvider(
  name: string,
  options: CrmWebhookOptions,
  deps: ProviderDeps,
  extras: WebhookAdapterExtras = {},
): Provider<CrmSyncRequest, CrmSyncResult> {
  return {
    name,
    type: 'crm_webhook',
    deduplicates: true,
    async invoke(request: CrmSyncRequest, ctx: InvokeContext): Promise<CrmSyncResult> {
      const data = { object: request.object ?? options.object ?? null, mergeOn: request.mergeOn, records: request.records };
      const delivery = await deliverWebhook(options, { type: options.event, data }, ctx, { clock: deps.clock, lookup: extras.lookup });
      return crmResultFromAnswer(request.records.length, delivery.json);
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeWebhookDestination(options, ctx, extras.lookup);
    },
  };
}
