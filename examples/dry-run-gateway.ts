/**
 * The bundled config in dry run: every provider is a sandbox. Inject an outage into the primary
 * and watch the fallback serve. Run: npx tsx examples/dry-run-gateway.ts
 */
import { Gateway } from '../src/index.js';

const gateway = await Gateway.create({ dryRun: true, snapshotIntervalMs: 0 });
gateway.getSandbox('smtp_gmail')?.setFailure('transient');
const r = await gateway.invoke('email_sending', { to: 'ada@example.com', subject: 'Hi', text: 'Hello' });
console.log(`served by ${r.provider}`, r.attempts.map((a) => `${a.provider}:${a.outcome}`));
console.log(gateway.sandboxRecords().map((rec) => ({ provider: rec.provider, key: rec.idempotencyKey })));
await gateway.close();
