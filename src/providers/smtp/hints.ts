import type { RecommendationHints } from '../types.js';

export const smtpHints: RecommendationHints = {
  auth: 'The SMTP server refused the login of {provider}: check options.auth.user and options.auth.pass or options.auth.accessToken (and the environment variables they come from); Gmail and Outlook need an app password or an OAuth2 token, not the account password.',
  not_configured: '{provider} has no SMTP server or sender: set options.host (or options.preset) and options.from.',
  rate_limited:
    'The SMTP server of {provider} is throttling (421/451 4.7.x): lower its ratePerSecond / concurrency, or raise the sending limit with the mail provider.',
  quota:
    'The sending quota of {provider} is spent (5.4.5 / daily limit): wait for the reset or raise the plan limit; other providers of the chain take over meanwhile.',
  transient:
    '{provider} cannot reach its SMTP server or gets 4xx replies: check options.host, options.port and options.secure, the network, and for TLS errors options.ca (or options.allowInsecure for a trusted test server only).',
  timeout:
    'The SMTP server of {provider} does not answer within the attempt deadline: check the server, or raise attemptTimeoutMs / options.socketTimeoutMs.',
  unknown_outcome:
    'The connection of {provider} dropped after the message data was sent: the server may have delivered it. Check the recipient or the server log before resending (a resend carries the same Message-ID).',
  invalid_request:
    'The SMTP server of {provider} refused a recipient or the message (5xx): check the addresses, the sender (options.from) and the content.',
  insecure:
    '{provider} allows plain-text SMTP or unverified certificates (options.allowInsecure): use implicit TLS (options.secure) or STARTTLS with a verified certificate (options.ca) in production.',
  slow: 'The SMTP server of {provider} is slow: consider options.pool: true to reuse connections.',
};
