/**
 * HTTP benchmark (`npm run bench:http`), autocannon in-process, 10 connections:
 *  (a) a bare Fastify route returning the same JSON as the gateway (the baseline);
 *  (b) the gateway's POST /v1/capabilities/webhook_dispatch on a zero-latency sandbox provider;
 *  (c) the same with the primary failing (its circuit open) and the fallback serving.
 * The three run in interleaved rounds; each row is the mean of its rounds, and each ratio the
 * median of its per-round ratios.
 * Prints req/s, and p50/p99 latency taken from every response's own duration (autocannon's
 * percentiles are whole milliseconds, too coarse here), and the ratios b/a and c/a.
 * Each connection sends its next request when the answer arrives (a closed loop at full load),
 * so latency is about connections / throughput: the added latency is ten times the added cost
 * of one request.
 * Targets: b/a >= 0.5; c within 10% of b; added p50 over bare Fastify < 0.3 ms.
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { validateConfig } from '../src/config/load.js';
import { Gateway } from '../src/gateway.js';
import { createServer } from '../src/server/index.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
  const latencies: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...opts, duration: DURATION_S }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  latencies.sort((x, y) => x - y);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, rps: r.requests.total / DURATION_S, p50: at(0.5), p99: at(0.99), mean: latencies.reduce((t, x) => t + x, 0) / latencies.length, errors: r.errors, non2xx: r.non2xx };
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
  const bareUrl = `http://127.0.0.1:${port(bare.server)}/v1/capabilities/webhook_dispatch`;
  let primaryCalls = 0;
  let primary = primaryProvider.status().toJSON();
  /** Readmits the primary (b) or opens its circuit (c), then measures. */
  async function scenario(which: 'a' | 'b' | 'c'): Promise<Row> {
    if (which === 'a') return run('(a) bare Fastify', bareUrl);
    if (which === 'b') {
      sandbox.setFailure(null);
      primaryProvider.reset();
      await primaryProvider.probe(); // readmitted as the background prober would: HEALTHY, first again
      const servedBefore = sandbox.calls;
      const row = await run('(b) gateway, primary serving', gatewayUrl);
      if (sandbox.calls - servedBefore < 1000) throw new Error('the primary should have served (b)');
      return row;
    }
    sandbox.setFailure('transient');
    for (let i = 0; i < 50; i++) await gateway.invoke('webhook_dispatch', JSON.parse(body));
    primary = primaryProvider.status().toJSON();
    if (primary.breakerState !== 'open') throw new Error(`the primary's circuit should be open before (c), it is ${primary.breakerState}`);
    const callsBefore = sandbox.calls;
    const row = await run('(c) gateway, primary failing (circuit open)', gatewayUrl);
    primaryCalls += sandbox.calls - callsBefore;
    return row;
  }
  // Interleaved rounds of a, b, c: drift on a shared machine and the growth of the gateway's
  // memory ledger fall on every scenario alike.
  const full: Row[][] = [[], [], []];
  const order = ['a', 'b', 'c'] as const;
  for (let round = 0; round < ROUNDS; round++) for (let i = 0; i < 3; i++) full[i]!.push(await scenario(order[i]!));

  const pad = (s: string, n: number) => s.padEnd(n);
  const rows = full.map(meanRow);
  console.log(`\nHTTP benchmark: ${CONNECTIONS} connections at full load, ${DURATION_S} s per run, ${ROUNDS} interleaved rounds (means), Node ${process.version}\n`);
  console.log(`${pad('scenario', 46)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('mean ms', 9)}errors/non-2xx`);
  for (const r of rows) console.log(`${pad(r.name, 46)}${pad(r.rps.toFixed(0), 10)}${pad(r.p50.toFixed(3), 9)}${pad(r.p99.toFixed(3), 9)}${pad(r.mean.toFixed(3), 9)}${r.errors}/${r.non2xx}`);
  const [a, b, c] = rows as [Row, Row, Row];
  // Each round pairs b and c with the a that ran just before them; the median of those per-round
  // ratios holds up when a neighbour on a shared machine slows one round down.
  const perRound = (k: number, base: number): number[] => full[k]!.map((r, i) => r.rps / full[base]![i]!.rps);
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nb/a = ${median(perRound(1, 0)).toFixed(2)}   (median of the rounds: ${list(perRound(1, 0))}; target >= 0.5)`);
  console.log(`c/a = ${median(perRound(2, 0)).toFixed(2)}   c/b = ${median(perRound(2, 1)).toFixed(2)}   (rounds: ${list(perRound(2, 1))}; target: c within 10% of b)`);
  console.log(`(c) primary: ${primary.health}, breaker ${primary.breakerState}; calls that still reached it during (c): ${primaryCalls} (its open circuit skips it)`);
  console.log(`added p50 over bare Fastify: b ${(b.p50 - a.p50).toFixed(3)} ms, c ${(c.p50 - a.p50).toFixed(3)} ms (target < 0.3 ms)`);

  await app.close();
  await bare.close();
}

await main();
