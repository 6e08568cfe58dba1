/** The `apollo` provider type: lead_enrichment through Apollo people enrichment. */
import { defineProviderType } from '../types.js';
import { ApolloProvider } from './adapter.js';
import { apolloHints } from './hints.js';
import { apolloOptions, type ApolloOptions } from './options.js';

export { ApolloProvider } from './adapter.js';

export const apolloProviderType = defineProviderType<ApolloOptions>({
  type: 'apollo',
  description: 'Apollo.io people enrichment (people/match; bulk_match for up to 10)',
  capabilities: ['lead_enrichment'],
  options: apolloOptions,
  secrets: ['apiKey'],
  required: ['apiKey'],
  // The free plan allows 50 enrichment requests per minute (paid plans 1,000): the conservative default.
  defaults: { ratePerSecond: 0.8, burst: 5, concurrency: 2, attemptTimeoutMs: 15_000 },
  hints: apolloHints,
  create: (name, options, deps) => new ApolloProvider(name, options, deps),
});
