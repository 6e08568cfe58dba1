/**
 * A provider of your own: implement the adapter contract (`invoke`, optionally `probe` and
 * `close`), throw GatewayError with the kind decided at your boundary, and put it in a chain.
 * Requests reach `invoke` already validated against the capability schema. The third mail's
 * 503 is retried on the same provider; the fourth goes to the backup, because the mailer that
 * just failed is demoted behind it. Run: npx tsx examples/custom-provider.ts
 */
import {
  createProviderChain,
  emailSending,
  Gateway,
  GatewayError,
  parseRequest,
  type EmailSendingRequest,
  type EmailSendingResult,
  type InvokeContext,
  type Provider,
} from '../src/index.js';

/** An in-house mail API: refuses a list it does not know, answers 503 once in a while. */
class InHouseMailer implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly name = 'inhouse_mailer';
  readonly type = 'inhouse';
  private sent = 0;

  async invoke(request: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    if (ctx.signal.aborted) throw new GatewayError('GW_PROVIDER_TIMEOUT', 'abandoned before sending', { provider: this.name });
    if (++this.sent % 3 === 0)
      throw new GatewayError('GW_PROVIDER_TRANSIENT', 'in-house mailer: 503', { provider: this.name, status: 503 });
    const to = Array.isArray(request.to) ? request.to : [request.to];
    return { messageId: `<${ctx.idempotencyKey}@inhouse.example>`, accepted: to, rejected: [] };
  }

  async probe(): Promise<{ metadata: Record<string, unknown> }> {
    return { metadata: { queue: 'ok' } };
  }
}

const backup: Provider<EmailSendingRequest, EmailSendingResult> = {
  name: 'backup_mailer',
  type: 'inhouse',
  invoke: async (request, ctx) => ({ messageId: `<${ctx.idempotencyKey}@backup.example>`, accepted: [request.to].flat(), rejected: [] }),
};

const gateway = await Gateway.create({ dryRun: true, snapshotIntervalMs: 0 });
try {
  // Replace the configured email chain with ours; the ledger, outbox and monitoring stay the Gateway's.
  gateway.registerProviderChain(
    createProviderChain({
      capability: 'email_sending',
      sideEffects: true,
      providers: [new InHouseMailer(), backup],
      validate: (request) => parseRequest(emailSending, request),
    }),
  );
  for (let i = 1; i <= 4; i++) {
    const r = await gateway.invoke('email_sending', { to: 'ada@example.com', subject: `Hello ${i}`, text: 'Hi' });
    console.log(`mail ${i}: served by ${r.provider} (${r.attempts.map((a) => `${a.provider}:${a.outcome}`).join(', ')})`);
  }
} finally {
  await gateway.close();
}
