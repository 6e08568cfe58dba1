/** The `airtable` provider type: crm_sync through Airtable upserts. */
import { defineProviderType } from '../types.js';
import { AirtableProvider } from './adapter.js';
import { airtableHints } from './hints.js';
import { airtableOptions, type AirtableOptions } from './options.js';

export const airtableProviderType = defineProviderType<AirtableOptions>({
  type: 'airtable',
  description: 'Airtable Web API: upsert records (performUpsert) into a table, 10 per call',
  capabilities: ['crm_sync'],
  options: airtableOptions,
  secrets: ['apiToken'],
  required: ['apiToken', 'baseId'],
  // 5 requests/second per base. One invocation may make several calls (10 records each, spaced
  // by batchIntervalMs), so invocations run one at a time to keep the base under its limit.
  defaults: { ratePerSecond: 5, burst: 5, concurrency: 1, attemptTimeoutMs: 30_000 },
  hints: airtableHints,
  create: (name, options, deps) => new AirtableProvider(name, options, deps),
});
