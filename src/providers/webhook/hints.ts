/** Recommendation text for webhook-based types; `{provider}` is replaced, values are never shown. */
import type { RecommendationHints } from '../types.js';

export const webhookHints: RecommendationHints = {
  auth: "The receiver of {provider} refuses our signature (401/403): give it the current signing secret from the `secrets` option of {provider}, or add the receiver's secret there (several may be active during rotation).",
  invalid_request:
    'The receiver of {provider} rejected deliveries (4xx, redirect, 410 Gone or a refused destination): check the `url` option of {provider}; remove the endpoint if it answered 410; use allowHosts / allowPrivate / allowHttp only for receivers you trust.',
  rate_limited:
    'The receiver of {provider} is throttling (429): deliveries resume after its Retry-After; lower the rate limit of {provider} if this persists.',
  transient: 'The receiver of {provider} fails (5xx or network): check that it is up; deliveries go to the outbox when enabled.',
  timeout:
    'The receiver of {provider} is slow: it should answer 2xx quickly and process asynchronously; raise the `timeoutMs` option of {provider} only if needed.',
  unknown_outcome:
    'A delivery of {provider} was abandoned after it was sent; receivers deduplicate by webhook-id, so retrying with the same idempotency key is safe.',
  not_configured: 'Set the `url` and `secrets` options of {provider} (secrets are whsec_… values, usually from an environment variable).',
  insecure: '{provider} delivers over plain http (allowHttp): use an https URL.',
};
