import type { RecommendationHints } from '../types.js';

export const sendgridHints: RecommendationHints = {
  auth: 'SendGrid refused the API key of {provider} (invalid, revoked, or without the mail.send scope): create a key with Mail Send access and set its apiKey option.',
  misconfigured:
    "{provider}'s from address is not a verified Sender Identity in SendGrid (or its baseUrl is wrong): verify the sender (Settings > Sender Authentication) or change its from option.",
  rate_limited: 'SendGrid throttled {provider} until its X-RateLimit-Reset: lower its ratePerSecond or spread the campaign.',
  quota: "SendGrid says {provider}'s plan is out of credits (Maximum credits exceeded): upgrade the plan or wait for the credit reset.",
  transient: 'SendGrid is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request: 'SendGrid refused a message sent through {provider}: the error names the field (an address, content order, size).',
};
