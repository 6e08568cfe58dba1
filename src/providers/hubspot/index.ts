/** The `hubspot` provider type: crm_sync through HubSpot CRM batch upserts. */
import { defineProviderType } from '../types.js';
import { HubSpotProvider } from './adapter.js';
import { hubspotHints } from './hints.js';
import { hubspotOptions, type HubSpotOptions } from './options.js';

export const hubspotProviderType = defineProviderType<HubSpotOptions>({
  type: 'hubspot',
  description: 'HubSpot CRM v3: batch upsert of objects (contacts by default) on a unique property, 100 per call',
  capabilities: ['crm_sync'],
  options: hubspotOptions,
  secrets: ['accessToken'],
  required: ['accessToken'],
  // 100 requests per 10 seconds for private apps on Free/Starter (the lowest tier).
  defaults: { ratePerSecond: 10, burst: 10, concurrency: 4, attemptTimeoutMs: 30_000 },
  hints: hubspotHints,
  create: (name, options, deps) => new HubSpotProvider(name, options, deps),
});
