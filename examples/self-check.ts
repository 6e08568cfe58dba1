/**
 * A self-check: probe every provider, derive recommendations, and print what to change. The
 * primary SMTP provider refuses its credentials here, so the recommendation names the option.
 * Run: npx tsx examples/self-check.ts
 */
import { Gateway } from '../src/index.js';

const gateway = await Gateway.create({ dryRun: true, snapshotIntervalMs: 0 });
try {
  gateway.getSandbox('smtp_gmail')!.setFailure('auth');
  const { results, recommendations } = await gateway.monitoring.service.runFullCheck();
  for (const r of results)
    console.log(`${r.capability.padEnd(24)} ${r.provider.padEnd(18)} ${r.success ? 'ok' : (r.skipped ?? r.error?.code)}`);
  for (const rec of recommendations) console.log(`[${rec.severity}] ${rec.provider}: ${rec.issue}\n    -> ${rec.action}`);
} finally {
  await gateway.close();
}
