/**
 * The one explicit map of provider type names to their definitions.
 * Each type lives in its own folder: adapter, error mapping, probe, options schema, hints.
 */
import type { ProviderTypeDefinition } from './types.js';
import { sandboxProviderType } from './sandbox/index.js';
import { crmWebhookType } from './crm-webhook/index.js';
import { facebookType } from './facebook/index.js';
import { linkedinType } from './linkedin/index.js';
import { socialWebhookType } from './social-webhook/index.js';
import { webhookType } from './webhook/index.js';
import { xType } from './x/index.js';
import { localVerifierType } from './local-verifier/index.js';
import { zeroBounceType } from './zerobounce/index.js';
import { neverBounceType } from './neverbounce/index.js';
import { airtableProviderType } from './airtable/index.js';
import { hubspotProviderType } from './hubspot/index.js';
import { apolloProviderType } from './apollo/index.js';
import { dropcontactProviderType } from './dropcontact/index.js';
import { smtpProviderType } from './smtp/index.js';
import { imapProviderType } from './imap/index.js';
import { sendgridType } from './sendgrid/index.js';
import { mailgunType } from './mailgun/index.js';
import { sesType } from './ses/index.js';
import { postmarkType } from './postmark/index.js';

// Each provider folder adds its import and its entry below.

const PROVIDER_TYPES: Readonly<Record<string, ProviderTypeDefinition>> = Object.freeze({
  sandbox: sandboxProviderType,
  linkedin: linkedinType,
  x: xType,
  facebook: facebookType,
  webhook: webhookType,
  crm_webhook: crmWebhookType,
  social_webhook: socialWebhookType,
  local_verifier: localVerifierType,
  zerobounce: zeroBounceType,
  neverbounce: neverBounceType,
  airtable: airtableProviderType,
  hubspot: hubspotProviderType,
  apollo: apolloProviderType,
  dropcontact: dropcontactProviderType,
  smtp: smtpProviderType,
  imap: imapProviderType,
  sendgrid: sendgridType,
  mailgun: mailgunType,
  ses: sesType,
  postmark: postmarkType,
});

export function getProviderType(type: string): ProviderTypeDefinition<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(PROVIDER_TYPES, type) ? PROVIDER_TYPES[type] : undefined;
}

export function listProviderTypes(): string[] {
  return Object.keys(PROVIDER_TYPES).sort();
}
