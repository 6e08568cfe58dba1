/**
 * HTTP benchmark (`npm run bench:http`): what a user runs, against a real upstream.
 *
 * Three servers, each in its own process (bench/http-servers.ts), all on loopback:
 *  - the upstream: a node:http server answering 200 (the provider being called);
 *  - (p) a plain proxy of about 20 lines (node:http + fetch, the next target when not ok): the
 *    baseline a user could write themselves; (u) the same on undici's request, the HTTP client
 *    the gateway uses, so what the gateway adds beyond its client is visible too;
 *  - (g) the gateway as `aicmo-gateway serve` runs it: the default SQLite store (ledger and outbox
 *    in a temporary directory), info logs, an API key, one `webhook` provider posting to the
 *    upstream (loopback allowed for the bench).
 * Scenario (d) calls the upstream directly. The client (autocannon) runs here; each request
 * waits for its answer before its connection sends the next (full load, closed loop).
 *
 * Rounds are interleaved (d, p, u, g at 1 connection, then at 10), so drift on a shared machine
 * falls on every scenario alike; each ratio and added latency is the median of its per-round
 * values. At 1 connection a request's latency is the time the server in the middle adds
 * (nothing queues); CPU per request is the server's own process.cpuUsage over a run divided by
 * the requests it served. Then the gateway serves 60,000 more requests at 10 connections and
 * its RSS is read after every 10,000.
 *
 * Targets: g/p throughput >= 0.8 at 10 connections; added p50 of g over d <= 1 ms at
 * 1 connection; RSS flat over the 60,000 requests.
 * Settings: BENCH_SECONDS (3), BENCH_ROUNDS (5), BENCH_RSS_REQUESTS (60000),
 * BENCH_STORE (sqlite, or memory), BENCH_LEDGER_SYNC (normal, or full).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { envCount } from './env.js';
import type { Usage } from './http-servers.js';

const DURATION_S = envCount('BENCH_SECONDS', 3);
const ROUNDS = envCount('BENCH_ROUNDS', 5);
const RSS_REQUESTS = envCount('BENCH_RSS_REQUESTS', 60_000);
const STORE = process.env.BENCH_STORE ?? 'sqlite';
const LEDGER_SYNC = process.env.BENCH_LEDGER_SYNC ?? 'normal';
if (STORE !== 'sqlite' && STORE !== 'memory') throw new Error(`BENCH_STORE must be sqlite or memory, got "${STORE}"`);
if (LEDGER_SYNC !== 'normal' && LEDGER_SYNC !== 'full') throw new Error(`BENCH_LEDGER_SYNC must be normal or full, got "${LEDGER_SYNC}"`);
const KEY = 'bench-key-0123456789abcdef';
const body = JSON.stringify({ event: 'contact.created', payload: { id: 42, email: 'ada@example.com' } });
const ROUTE = '/v1/capabilities/webhook_dispatch';

interface Server {
  proc: ChildProcess;
  url: string;
  usage(afterGc?: boolean): Promise<Usage>;
}

function startServer(role: string, arg?: string): Promise<Server> {
  const script = path.join(import.meta.dirname, 'http-servers.ts');
  const proc = fork(script, arg === undefined ? [role] : [role, arg], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const usage = (afterGc = false): Promise<Usage> =>
    new Promise((resolve) => {
      proc.once('message', (m) => resolve(m as Usage));
      proc.send(afterGc ? 'usage-after-gc' : 'usage');
    });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ proc, url: `http://127.0.0.1:${(m as { port: number }).port}`, usage }));
    proc.once('exit', (code) => reject(new Error(`${role} exited (${code}) before listening`)));
  });
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  failures: number;
}

async function load(server: Server, route: string, connections: number, limit: { duration: number } | { amount: number }): Promise<Run> {
  const before = await server.usage();
  const latencies: number[] = [];
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url + route,
        connections,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        ...limit,
      },
      (err: Error | null, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const after = await server.usage();
  latencies.sort((x, y) => x - y);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, after.served - before.served),
    failures: result.errors + result.non2xx,
  };
}

function gatewayConfig(dir: string, upstreamUrl: string): string {
  const config = {
    mode: 'live',
    store: STORE === 'memory' ? 'memory:' : `sqlite:${path.join(dir, 'gateway.db')}`,
    server: { apiKeys: [{ name: 'bench', key: KEY }], rateLimitPerMinute: 1_000_000_000 },
    delivery: { ledgerSync: LEDGER_SYNC },
    capabilities: {
      webhook_dispatch: {
        providers: [
          {
            name: 'hook',
            type: 'webhook',
            options: {
              url: upstreamUrl,
              secrets: `whsec_${randomBytes(32).toString('base64')}`,
              allowHttp: true,
              allowHosts: ['127.0.0.1'],
            },
          },
        ],
      },
    },
  };
  const file = path.join(dir, 'gateway.config.yaml');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const list = (xs: number[], digits = 2): string => xs.map((x) => x.toFixed(digits)).join(' ');

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-http-'));
  const upstream = await startServer('upstream');
  const proxy = await startServer('proxy', upstream.url);
  const proxyUndici = await startServer('proxy-undici', upstream.url);
  const gateway = await startServer('gateway', gatewayConfig(dir, upstream.url));
  const scenarios = [
    { name: '(d) upstream called directly', server: upstream, route: '/' },
    { name: '(p) plain proxy (node:http + fetch)', server: proxy, route: ROUTE },
    { name: '(u) plain proxy (node:http + undici request)', server: proxyUndici, route: ROUTE },
    { name: `(g) gateway, ${STORE} store, ledger ${LEDGER_SYNC}`, server: gateway, route: ROUTE },
  ];
  const connectionCounts = [1, 10];
  try {
    for (const s of scenarios) await load(s.server, s.route, 10, { duration: 2 }); // warm-up
    // runs[c][s]: the rounds of scenario s at connectionCounts[c].
    const runs = connectionCounts.map(() => scenarios.map((): Run[] => []));
    for (let round = 0; round < ROUNDS; round++)
      for (const [c, connections] of connectionCounts.entries())
        for (const [i, s] of scenarios.entries()) runs[c]![i]!.push(await load(s.server, s.route, connections, { duration: DURATION_S }));

    const pad = (s: string, n: number): string => s.padEnd(n);
    console.log(`\nHTTP benchmark: ${DURATION_S} s per run, ${ROUNDS} interleaved rounds, Node ${process.version}, upstream on loopback`);
    for (const [c, connections] of connectionCounts.entries()) {
      console.log(`\n${connections} connection${connections > 1 ? 's' : ''} (medians of the rounds):\n`);
      console.log(`${pad('scenario', 48)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('CPU µs/req', 12)}failures`);
      for (const [i, s] of scenarios.entries()) {
        const rs = runs[c]![i]!;
        const m = (f: (r: Run) => number): number => median(rs.map(f));
        const failures = rs.reduce((t, r) => t + r.failures, 0);
        console.log(
          `${pad(s.name, 48)}${pad(m((r) => r.rps).toFixed(0), 9)}${pad(m((r) => r.p50).toFixed(3), 9)}${pad(m((r) => r.p99).toFixed(3), 9)}${pad(m((r) => r.cpuMicrosPerRequest).toFixed(0), 12)}${failures}`,
        );
      }
    }
    const perRound = (c: number, k: number, base: number, f: (r: Run) => number, op: (x: number, y: number) => number): number[] =>
      runs[c]![k]!.map((r, i) => op(f(r), f(runs[c]![base]![i]!)));
    const ratio = (x: number, y: number): number => x / y;
    const minus = (x: number, y: number): number => x - y;
    const [D, P, U, G] = [0, 1, 2, 3];
    const tput = perRound(1, G, P, (r) => r.rps, ratio);
    const tputU = perRound(1, G, U, (r) => r.rps, ratio);
    const added = perRound(0, G, D, (r) => r.p50, minus);
    const addedBy = (k: number): string => `+${median(perRound(0, k, D, (r) => r.p50, minus)).toFixed(3)} ms`;
    const cpu = perRound(1, G, P, (r) => r.cpuMicrosPerRequest, ratio);
    const cpuU = perRound(1, G, U, (r) => r.cpuMicrosPerRequest, ratio);
    console.log(`\nat 10 connections, throughput g/p = ${median(tput).toFixed(2)}   (rounds: ${list(tput)}; target >= 0.8)`);
    console.log(`                   throughput g/u = ${median(tputU).toFixed(2)}   (rounds: ${list(tputU)})`);
    console.log(`                   CPU per request g/p = ${median(cpu).toFixed(2)}, g/u = ${median(cpuU).toFixed(2)}`);
    console.log(
      `at 1 connection, added p50 over (d): g +${median(added).toFixed(3)} ms (rounds: ${list(added, 3)}; target <= 1 ms); p ${addedBy(P)}; u ${addedBy(U)}`,
    );

    // Memory: the gateway's RSS and retained heap (after a full GC) after every 10,000 of RSS_REQUESTS more requests.
    const step = 10_000;
    const first = await gateway.usage(true);
    const rss: number[] = [first.rssBytes];
    const heap: number[] = [first.heapUsedBytes];
    let failures = 0;
    for (let done = 0; done < RSS_REQUESTS; done += step) {
      failures += (await load(gateway, ROUTE, 10, { amount: Math.min(step, RSS_REQUESTS - done) })).failures;
      const u = await gateway.usage(true);
      rss.push(u.rssBytes);
      heap.push(u.heapUsedBytes);
    }
    const mb = (b: number): string => (b / 1_048_576).toFixed(0);
    const served = (await gateway.usage()).served;
    console.log(
      `\ngateway RSS (MB) before and after each ${step.toLocaleString('en')} of ${RSS_REQUESTS.toLocaleString('en')} requests: ${rss.map(mb).join(' ')}` +
        ` (${failures} failures; ${served.toLocaleString('en')} requests served in all)`,
    );
    console.log(`gateway heap used after a full GC (MB) at the same points: ${heap.map(mb).join(' ')}`);
    const second = rss[Math.min(2, rss.length - 1)]!;
    console.log(
      `RSS growth from ${step * 2 > RSS_REQUESTS ? 'the start' : (2 * step).toLocaleString('en')} requests to the end: ${mb(rss.at(-1)! - second)} MB (target: flat)`,
    );
  } finally {
    for (const s of [gateway, proxyUndici, proxy, upstream]) s.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
