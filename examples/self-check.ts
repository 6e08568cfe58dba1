/**
 * Probe every provider and print the recommendations. Run: npx tsx examples/self-check.ts
 */
import { Gateway } from '../src/index.js';

const gateway = await Gateway.create({ dryRun: true, snapshotIntervalMs: 0 });
for (const chain of gateway.listProviderChains()) {
  for (const provider of chain.providers) {
    const outcome = await provider.probe(2_000);
    console.log(`${chain.capability.padEnd(26)} ${provider.name.padEnd(26)} ${outcome.ok ? 'ok' : outcome.skipped ?? outcome.error?.code}`);
  }
}
await gateway.close();
