/**
 * HTTP benchmark (`npm run bench:http`), autocannon in-process, 10 connections:
 *  (a) a bare Fastify route returning the same JSON as the gateway (the baseline);
 *  (b) the gateway's POST /v1/capabilities/webhook_dispatch on a zero-latency sandbox provider;
 *  (c) the same with the primary failing (its circuit open) and the fallback serving.
 * The three run in two interleaved rounds; each row is the mean of its rounds.
 * Prints req/s and p50/p99 for each, and the ratios b/a and c/a.
 * Targets: b/a >= 0.5; c within 10% of b; added p50 over bare Fastify < 0.3 ms.
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { validateConfig } from '../src/config/load.js';
import { Gateway } from '../src/gateway.js';
import { createServer } from '../src/server/index.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = 10;
const ROUNDS = 2;
const KEY = 'bench-key-0123456789abcdef';
const body = JSON.stringify({ event: 'contact.created', payload: { id: 42, email: 'ada@example.com' } });

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  errors: number;
  non2xx: number;
}

async function run(name: string, url: string): Promise<Row> {
  const opts = { url, connections: CONNECTIONS, method: 'POST' as const, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } };
  await autocannon({ ...opts, duration: 1 }); // warm-up
  const r = await autocannon({ ...opts, duration: DURATION_S });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.average, errors: r.errors, non2xx: r.non2xx };
}

function meanRow(rs: Row[]): Row {
  const m = (f: (r: Row) => number): number => rs.reduce((s, r) => s + f(r), 0) / rs.length;
  return { name: rs[0]!.name, rps: m((r) => r.rps), p50: m((r) => r.p50), p99: m((r) => r.p99), mean: m((r) => r.mean), errors: m((r) => r.errors), non2xx: m((r) => r.non2xx) };
}

async function main(): Promise<void> {
  // (a) bare Fastify, same response shape as the gateway's.
  const bare = Fastify({ logger: false });
  const sample = {
    result: { webhookId: 'wh_0000000000000000', status: 200, deliveredAt: new Date().toISOString() },
    provider: 'hook_primary',
    attempts: [{ provider: 'hook_primary', outcome: 'success', latencyMs: 0 }],
    idempotencyKey: '00000000-0000-0000-0000-000000000000',
    latencyMs: 0,
  };
  bare.post('/v1/capabilities/webhook_dispatch', async () => sample);
  await bare.listen({ host: '127.0.0.1', port: 0 });

  // (b) and (c) the gateway service.
  const { config } = validateConfig(
    {
      mode: 'dry_run',
      store: 'memory:',
      logLevel: 'silent',
      server: { apiKeys: [{ name: 'bench', key: KEY }], rateLimitPerMinute: 1_000_000_000 },
      monitoring: { intervalSeconds: 0 },
      capabilities: {
        webhook_dispatch: {
          providers: [
            // One failure opens the primary's circuit for the rest of the run, so (c) measures failover past an open circuit.
            { name: 'hook_primary', type: 'webhook', sandbox: { latencyMs: 0, keepRecords: 0 }, breaker: { consecutiveFailures: 1, openMs: 3_600_000, maxOpenMs: 3_600_000 } },
            { name: 'hook_backup', type: 'webhook', sandbox: { latencyMs: 0, keepRecords: 0 } },
          ],
        },
      },
    },
    {},
  );
  const gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
  const app = createServer(gateway, { logger: pino({ level: 'silent' }), periodicChecks: false });
  await app.listen({ host: '127.0.0.1', port: 0 });

  const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  const gatewayUrl = `http://127.0.0.1:${port(app.server)}/v1/capabilities/webhook_dispatch`;
  const sandbox = gateway.getSandbox('hook_primary')!;
  const primaryProvider = gateway.findProvider('hook_primary')!;
  // Two rounds of a, b, c: the gateway's memory ledger grows with every request, so interleaving
  // gives b and c the same conditions; each row is the mean of its rounds.
  const runs: Row[][] = [[], [], []];
  let primaryCalls = 0;
  let primary = primaryProvider.status().toJSON();
  for (let round = 0; round < ROUNDS; round++) {
    runs[0]!.push(await run('(a) bare Fastify', `http://127.0.0.1:${port(bare.server)}/v1/capabilities/webhook_dispatch`));
    sandbox.setFailure(null);
    primaryProvider.reset();
    await primaryProvider.probe(); // readmitted as the background prober would: HEALTHY, first again
    const servedBefore = sandbox.calls;
    runs[1]!.push(await run('(b) gateway, primary serving', gatewayUrl));
    if (sandbox.calls - servedBefore < 1000) throw new Error('the primary should have served (b)');
    sandbox.setFailure('transient');
    for (let i = 0; i < 50; i++) await gateway.invoke('webhook_dispatch', JSON.parse(body));
    primary = primaryProvider.status().toJSON();
    if (primary.breakerState !== 'open') throw new Error(`the primary's circuit should be open before (c), it is ${primary.breakerState}`);
    const callsBefore = sandbox.calls;
    runs[2]!.push(await run('(c) gateway, primary failing (circuit open)', gatewayUrl));
    primaryCalls += sandbox.calls - callsBefore;
  }
  const rows = runs.map(meanRow);

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\nHTTP benchmark: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} interleaved rounds (means), Node ${process.version}\n`);
  console.log(`${pad('scenario', 46)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('mean ms', 9)}errors/non-2xx`);
  for (const r of rows) console.log(`${pad(r.name, 46)}${pad(r.rps.toFixed(0), 10)}${pad(String(r.p50), 9)}${pad(String(r.p99), 9)}${pad(r.mean.toFixed(2), 9)}${r.errors}/${r.non2xx}`);
  const [a, b, c] = rows as [Row, Row, Row];
  console.log(`\nb/a = ${(b.rps / a.rps).toFixed(2)}   (target >= 0.5)`);
  console.log(`c/a = ${(c.rps / a.rps).toFixed(2)}   c/b = ${(c.rps / b.rps).toFixed(2)} (target: c within 10% of b)`);
  console.log(`(c) primary: ${primary.health}, breaker ${primary.breakerState}; calls that still reached it during (c): ${primaryCalls} (its open circuit skips it)`);
  console.log(`added p50 over bare Fastify: b ${(b.p50 - a.p50).toFixed(2)} ms, c ${(c.p50 - a.p50).toFixed(2)} ms (target < 0.3 ms; autocannon's percentiles have 1 ms resolution)`);
  console.log(`added mean latency over bare Fastify: b ${(b.mean - a.mean).toFixed(2)} ms, c ${(c.mean - a.mean).toFixed(2)} ms`);

  await app.close();
  await bare.close();
}

await main();
