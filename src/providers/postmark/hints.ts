import type { RecommendationHints } from '../types.js';

export const postmarkHints: RecommendationHints = {
  auth: 'Postmark refused the server token of {provider} (ErrorCode 10): copy the Server API token (not the Account token) into its serverToken option.',
  misconfigured:
    "{provider}'s from address is not a confirmed Postmark sender signature (ErrorCode 400/401), or its baseUrl is wrong: confirm the signature or verify the domain, or change its from option.",
  rate_limited: 'Postmark throttled {provider} (429): lower its ratePerSecond or spread the campaign.',
  quota:
    'Postmark will not let {provider} send (ErrorCode 405/413: the account may not send or is out of credits; 412: pending approval): check the account in Postmark.',
  transient:
    'Postmark is failing for {provider} (5xx, maintenance or network): the chain fails over; nothing to change unless it persists.',
  invalid_request:
    'Postmark refused a message sent through {provider} (ErrorCode 300 invalid request, 406 inactive recipient, 411 attachment type).',
};
