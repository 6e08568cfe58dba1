/**
 * Every capability in dry run: the bundled config with a sandbox behind every provider. Each
 * request is validated against its capability schema and answered by the first usable provider;
 * nothing leaves the machine. Run: npx tsx examples/dry-run-capabilities.ts
 */
import { Gateway, type CapabilityName } from '../src/index.js';

const post = { text: 'We launched', link: 'https://example.com/launch' };
const requests: Record<CapabilityName, unknown> = {
  email_sending: { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' },
  social_posting_linkedin: post,
  social_posting_x: post,
  social_posting_facebook: post,
  crm_sync: { mergeOn: ['email'], records: [{ fields: { email: 'ada@example.com', name: 'Ada' } }] },
  lead_enrichment: { email: 'ada@example.com' },
  email_verification: { email: 'ada@example.com' },
  reply_fetching: { mailbox: 'INBOX', limit: 5 },
  webhook_dispatch: { event: 'contact.created', payload: { email: 'ada@example.com' } },
};

const gateway = await Gateway.create({ dryRun: true });
try {
  for (const [capability, request] of Object.entries(requests)) {
    const r = await gateway.invoke(capability, request);
    console.log(`${capability.padEnd(24)} served by ${r.provider.padEnd(18)} ${JSON.stringify(r.result).slice(0, 70)}`);
  }
  // An invalid request is refused before any provider is called, naming the field.
  await gateway.invoke('email_sending', { to: 'not-an-address', subject: 'Hi' }).catch((e: Error) => console.log(`refused: ${e.message}`));
} finally {
  await gateway.close();
}
