/**
 * Provider-specific advice used when a provider type's own `hints` say nothing about a kind.
 * Keyed by provider type (or type family); `{provider}` is replaced by the provider name.
 * Names settings and places, never values.
 */
import type { RecommendationHints } from '../../providers/types.js';

export const PROVIDER_ADVICE: Readonly<Record<string, RecommendationHints>> = {
  smtp: {
    auth: 'The SMTP server refused the login of {provider} (535): check its auth.user and auth.pass options; Gmail and Microsoft 365 need an app password or OAuth2, not the account password.',
    rate_limited: 'The SMTP server throttles {provider} (421/451): lower its ratePerSecond or spread sends; daily sending caps apply on hosted mailboxes.',
    timeout: 'The SMTP server of {provider} is slow to answer: check host/port reachability and the TLS mode (465 = implicit TLS, 587 = STARTTLS).',
    insecure: '{provider} allows plain-text SMTP: set requireTLS or use port 465/587 with TLS.',
  },
  imap: {
    auth: 'The IMAP server refused the login of {provider}: check its auth.user and auth.pass options (an app password on Gmail/Microsoft 365) and that IMAP access is enabled for the mailbox.',
    timeout: 'The IMAP server of {provider} is slow: check host, port (993 = TLS) and the mailbox size.',
  },
  airtable: {
    auth: 'Airtable refused {provider}: check the personal access token option (scopes data.records:read and data.records:write) and that the token has access to the base and table configured.',
    rate_limited: 'Airtable allows 5 requests/second per base and then blocks for 30 s: lower the ratePerSecond of {provider}.',
  },
  apollo: {
    auth: 'Apollo refused the API key of {provider}: check its apiKey option; people enrichment needs a key with access to that endpoint (a master key for usage stats) and a paid plan for some endpoints.',
    rate_limited: 'Apollo limits calls per minute/hour/day by plan (bulk endpoints get 1/10): lower the ratePerSecond of {provider} or upgrade the plan.',
    quota: 'Apollo credits of {provider} are exhausted: add credits or upgrade at app.apollo.io (Settings > Plans).',
  },
  dropcontact: {
    auth: 'Dropcontact refused the access token of {provider}: check its apiKey option (sent as X-Access-Token).',
    quota: 'Dropcontact credits of {provider} are exhausted: buy credits in the Dropcontact dashboard (GET /v1/account/credits shows the balance).',
  },
  linkedin: {
    auth: 'LinkedIn refused the access token of {provider}: tokens expire after 60 days; re-authorise with the w_member_social scope and update its accessToken option.',
    rate_limited: 'LinkedIn throttled {provider}: member and application daily limits reset at midnight UTC.',
  },
  x: {
    auth: 'X refused the credentials of {provider}: check its OAuth user token options (tweet.write scope) and that the app has write permission.',
    rate_limited: 'X throttled {provider}: posting limits are per 15 minutes and per 24 hours; the reset time comes from x-rate-limit-reset.',
  },
  facebook: {
    auth: 'Facebook refused the Page token of {provider}: check its pageAccessToken option (pages_manage_posts permission) and that the token was not invalidated by a password change.',
    rate_limited: 'Meta throttled {provider} (codes 4/17/32/613): wait for the usage window in X-App-Usage / X-Business-Use-Case-Usage to clear.',
  },
  hubspot: {
    auth: 'HubSpot refused the token of {provider}: check its accessToken option (private app token with crm.objects.contacts.read/write scopes).',
    rate_limited: 'HubSpot limits private apps to 100-200 requests per 10 s and a daily cap: lower the ratePerSecond of {provider}.',
  },
  webhook: {
    auth: 'The receiver refused the deliveries of {provider} (401/403): check the signing secret it holds matches the secrets option.',
    transient: 'The webhook receiver of {provider} is failing: check that the endpoint URL is up; deliveries fail over or go to the outbox.',
  },
};

/** Advice for a type: exact type first, then the family before the first `_` or `-` (`smtp_relay` -> `smtp`). */
export function adviceFor(type: string): RecommendationHints {
  return PROVIDER_ADVICE[type] ?? PROVIDER_ADVICE[type.split(/[_-]/)[0]!] ?? {};
}
