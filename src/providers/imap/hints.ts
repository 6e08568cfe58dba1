import type { RecommendationHints } from '../types.js';

export const imapHints: RecommendationHints = {
  auth: 'The IMAP server refused the login of {provider}: check options.auth.user and options.auth.pass (e.g. ${IMAP_PASS}) or options.auth.accessToken; Gmail and Outlook need an app password or an OAuth2 token.',
  not_configured: '{provider} has no IMAP server: set options.host (or options.preset) and options.auth.',
  rate_limited: 'The IMAP server of {provider} is throttling: fetch less often or lower options.batchSize.',
  transient:
    '{provider} cannot reach its IMAP server or the connection dropped: check options.host, options.port and options.secure, the network, and for TLS errors options.ca. The cursor did not move; the next fetch resumes where it stopped.',
  timeout: 'The IMAP server of {provider} does not answer within the attempt deadline: raise attemptTimeoutMs or lower options.batchSize.',
  invalid_request: 'The mailbox asked of {provider} does not exist: check options.mailbox or the request mailbox.',
  insecure:
    '{provider} allows plain-text IMAP or unverified certificates (options.allowInsecure): use TLS (options.secure) with a verified certificate (options.ca) in production.',
  slow: 'The IMAP server of {provider} is slow: lower options.batchSize.',
};
