/** The `dropcontact` provider type: lead_enrichment through Dropcontact's asynchronous API. */
import { defineProviderType } from '../types.js';
import { DropcontactProvider } from './adapter.js';
import { dropcontactHints } from './hints.js';
import { dropcontactOptions, type DropcontactOptions } from './options.js';

export { DropcontactProvider } from './adapter.js';

export const dropcontactProviderType = defineProviderType<DropcontactOptions>({
  type: 'dropcontact',
  description: 'Dropcontact v1 enrichment: submit, then poll for the result (request id kept for resuming)',
  capabilities: ['lead_enrichment'],
  options: dropcontactOptions,
  secrets: ['apiKey'],
  required: ['apiKey'],
  // 60 requests/second documented; each invocation makes one submit plus its polls.
  // A call waits what "not ready" asks (30 s) between polls: 120 s fits a submit and three such waits.
  defaults: { ratePerSecond: 60, burst: 20, concurrency: 8, attemptTimeoutMs: 120_000, minDeadlineMs: 120_000 },
  hints: dropcontactHints,
  create: (name, options, deps) => new DropcontactProvider(name, options, deps),
});
