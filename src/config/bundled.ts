/**
 * The bundled default configuration: every capability with the seed's providers
 * (MULTI_PROVIDER_CONFIG), credentials from environment variables, and dry run with sandbox
 * fault injection so failover and recovery can be watched on a fresh machine.
 */
import type { GatewayConfigInput } from './schema.js';

const hook = (name: string, env: string) => ({
  name,
  type: 'social_webhook',
  options: { url: `\${${env}_URL}`, secrets: [`\${${env}_SECRET}`] },
});

export const BUNDLED_CONFIG: GatewayConfigInput = {
  mode: 'dry_run',
  store: 'sqlite:./data/gateway.db',
  server: { host: '127.0.0.1', port: 8080 },
  monitoring: { intervalSeconds: 60 },
  capabilities: {
    email_sending: {
      required: true,
      providers: [
        {
          name: 'smtp_gmail',
          type: 'smtp',
          options: { preset: 'gmail', from: '${SMTP_GMAIL_FROM}', auth: { user: '${SMTP_GMAIL_USER}', pass: '${SMTP_GMAIL_PASS}' } },
          // Sandbox: an outage of 20 s every 2 minutes, so the fallback can be watched taking over.
          sandbox: {
            latencyMs: { min: 20, max: 80 },
            errorRate: { transient: 0.05 },
            outages: [{ afterSec: 30, durationSec: 20, everySec: 120 }],
          },
        },
        {
          name: 'smtp_fallback',
          type: 'smtp',
          options: {
            host: '${SMTP_FALLBACK_HOST}',
            port: 587,
            from: '${SMTP_FALLBACK_FROM}',
            auth: { user: '${SMTP_FALLBACK_USER}', pass: '${SMTP_FALLBACK_PASS}' },
          },
          sandbox: { latencyMs: { min: 30, max: 120 } },
        },
      ],
    },
    social_posting_linkedin: {
      providers: [
        {
          name: 'linkedin_native',
          type: 'linkedin',
          options: { accessToken: '${LINKEDIN_ACCESS_TOKEN}', author: '${LINKEDIN_AUTHOR_URN}' },
          sandbox: { latencyMs: { min: 50, max: 200 }, rateLimit: { limit: 20, windowMs: 60_000 } },
        },
        hook('webhook_linkedin', 'LINKEDIN_WEBHOOK'),
      ],
    },
    social_posting_x: {
      providers: [
        { name: 'x_native', type: 'x', options: { accessToken: '${X_ACCESS_TOKEN}' }, sandbox: { latencyMs: { min: 40, max: 150 } } },
        hook('webhook_x', 'X_WEBHOOK'),
      ],
    },
    social_posting_facebook: {
      providers: [
        {
          name: 'facebook_native',
          type: 'facebook',
          options: { pageId: '${FACEBOOK_PAGE_ID}', pageAccessToken: '${FACEBOOK_PAGE_TOKEN}' },
          sandbox: { latencyMs: { min: 40, max: 150 } },
        },
        hook('webhook_facebook', 'FACEBOOK_WEBHOOK'),
      ],
    },
    crm_sync: {
      providers: [
        {
          name: 'airtable_sync',
          type: 'airtable',
          options: { apiToken: '${AIRTABLE_API_TOKEN}', baseId: '${AIRTABLE_BASE_ID}', table: '${AIRTABLE_TABLE:-Contacts}' },
          // Sandbox: Airtable's 5 requests/s per base, with its 30 s penalty.
          sandbox: { latencyMs: { min: 60, max: 200 }, rateLimit: { limit: 5, windowMs: 30_000 } },
        },
        {
          name: 'crm_webhook',
          type: 'crm_webhook',
          options: { url: '${CRM_WEBHOOK_URL}', secrets: ['${CRM_WEBHOOK_SECRET}'] },
          sandbox: { latencyMs: { min: 20, max: 60 } },
        },
      ],
    },
    lead_enrichment: {
      providers: [
        {
          name: 'apollo_enrichment',
          type: 'apollo',
          options: { apiKey: '${APOLLO_API_KEY}' },
          sandbox: { latencyMs: { min: 100, max: 300 }, errorRate: { quota: 0.02 } },
        },
        {
          name: 'dropcontact_enrichment',
          type: 'dropcontact',
          options: { apiKey: '${DROPCONTACT_API_KEY}' },
          sandbox: { latencyMs: { min: 200, max: 500 } },
        },
      ],
    },
    email_verification: {
      providers: [
        { name: 'local_verifier', type: 'local_verifier', options: {}, sandbox: { latencyMs: { min: 5, max: 30 } } },
        {
          name: 'zerobounce_verification',
          type: 'zerobounce',
          options: { apiKey: '${ZEROBOUNCE_API_KEY}' },
          sandbox: { latencyMs: { min: 100, max: 400 } },
        },
        {
          name: 'neverbounce_verification',
          type: 'neverbounce',
          options: { apiKey: '${NEVERBOUNCE_API_KEY}' },
          sandbox: { latencyMs: { min: 100, max: 400 } },
        },
      ],
    },
    reply_fetching: {
      providers: [
        {
          name: 'imap_inbox',
          type: 'imap',
          options: { preset: 'gmail', auth: { user: '${IMAP_USER}', pass: '${IMAP_PASS}' } },
          sandbox: { latencyMs: { min: 100, max: 300 } },
        },
      ],
    },
    webhook_dispatch: {
      required: true,
      providers: [
        {
          name: 'webhook_primary',
          type: 'webhook',
          options: { url: '${WEBHOOK_PRIMARY_URL}', secrets: ['${WEBHOOK_PRIMARY_SECRET}'] },
          sandbox: { latencyMs: { min: 10, max: 40 }, errorRate: { transient: 0.1 } },
        },
        {
          name: 'webhook_backup',
          type: 'webhook',
          options: { url: '${WEBHOOK_BACKUP_URL}', secrets: ['${WEBHOOK_BACKUP_SECRET}'] },
          sandbox: { latencyMs: { min: 10, max: 40 } },
        },
      ],
    },
  },
};
