import type { RecommendationHints } from '../types.js';

export const sesHints: RecommendationHints = {
  auth: 'AWS refused the credentials of {provider} (invalid key, signature or missing ses:SendEmail permission): check its accessKeyId, secretAccessKey and region options and the IAM policy.',
  misconfigured:
    "{provider}'s sending identity is not verified in SES (MailFrom domain) or its configurationSetName does not exist in its region: verify the identity or fix the option.",
  rate_limited: "SES throttled {provider} (Maximum sending rate exceeded): set its ratePerSecond at or below the account's MaxSendRate.",
  quota:
    "SES will not let {provider} send (daily quota spent, sending paused, or account suspended): check the account's sending quota and reputation in the SES console.",
  transient: 'SES is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request:
    'SES refused a message sent through {provider} (MessageRejected: invalid content, or an unverified recipient while the account is in the sandbox).',
};
