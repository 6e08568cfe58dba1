/**
 * Failover in a few lines: a standalone chain of two providers where the primary fails; the
 * trace shows why the fallback served, and the primary's health shows what it saw.
 * Run: npx tsx examples/failover.ts
 */
import { createProviderChain, GatewayError } from '../src/index.js';

const chain = createProviderChain({
  capability: 'webhook_dispatch',
  sideEffects: true,
  providers: [
    {
      name: 'primary',
      type: 'demo',
      async invoke() {
        throw new GatewayError('GW_PROVIDER_TRANSIENT', 'primary: 503 Service Unavailable');
      },
    },
    { name: 'fallback', type: 'demo', invoke: async () => ({ delivered: true }) },
  ],
});

const { result, provider, attempts } = await chain.invoke({ event: 'demo' }, { idempotencyKey: 'demo-1' });
console.log(`served by ${provider}:`, result);
for (const a of attempts) console.log(`  ${a.provider}: ${a.outcome}${a.code ? ` (${a.code})` : ''}`);
for (const p of chain.getStatusReport().providers) console.log(`  ${p.name} health ${p.health}, breaker ${p.breakerState}`);
