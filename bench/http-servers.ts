/**
 * The servers of `npm run bench:http`, each in its own child process so its CPU time and memory
 * are its own (`tsx bench/http-servers.ts <role> <arg>`):
 *   upstream          answers every POST 200 with a small JSON body: the provider being called;
 *   proxy <targets>   the plain proxy a user could write in about 20 lines (plainProxy below),
 *                     on Node's fetch; `proxy-undici` the same on undici's request;
 *   gateway <config>  the gateway as `aicmo-gateway serve --config <config>` runs it.
 * Each listens on a free loopback port and sends `{ port }` over IPC, then answers every
 * `'usage'` message with its CPU time, RSS, heap used and the requests it has served
 * (`'usage-after-gc'`: after a full garbage collection); `'exit'` ends it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startService } from '../src/server/service.js';

export interface Usage {
  cpuMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  served: number;
}

/** An upstream's answer: its status and body. */
type Send = (target: string, body: string) => Promise<{ status: number; text: string }>;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Node's fetch, as most people would write it. */
const viaFetch: Send = async (target, body) => {
  const answer = await fetch(target, { method: 'POST', headers: JSON_HEADERS, body, signal: AbortSignal.timeout(15_000) });
  return { status: answer.status, text: await answer.text() };
};

/** undici's request, the client the gateway itself uses. */
const viaUndici: Send = async (target, body) => {
  const answer = await request(target, { method: 'POST', headers: JSON_HEADERS, body, signal: AbortSignal.timeout(15_000) });
  return { status: answer.statusCode, text: await answer.body.text() };
};

/** node:http + a client: forward the body to each target in turn until one answers 2xx. */
function plainProxy(targets: string[], send: Send): http.Server {
  return http.createServer((req, res) => void forward(req, res, targets, send));
}

async function forward(req: http.IncomingMessage, res: http.ServerResponse, targets: string[], send: Send): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString();
  for (const target of targets) {
    try {
      const answer = await send(target, body);
      if (answer.status >= 200 && answer.status < 300) {
        res.writeHead(answer.status, JSON_HEADERS).end(answer.text);
        return;
      }
    } catch {
      // try the next target
    }
  }
  res.writeHead(502).end();
}

function upstream(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'));
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function start(role: string, arg: string | undefined): Promise<{ server: http.Server; port: number }> {
  if (role === 'upstream' || role === 'proxy' || role === 'proxy-undici') {
    const targets = (arg ?? '').split(',');
    const server = role === 'upstream' ? upstream() : plainProxy(targets, role === 'proxy' ? viaFetch : viaUndici);
    server.keepAliveTimeout = 60_000;
    return { server, port: await listen(server) };
  }
  if (role === 'gateway' && arg) {
    const service = await startService({ config: arg, port: 0 });
    return { server: service.app.server, port: Number(new URL(service.url).port) };
  }
  throw new Error(`usage: http-servers.ts upstream | proxy <url,url…> | proxy-undici <url,url…> | gateway <config path>; got ${role}`);
}

const { server, port } = await start(process.argv[2] ?? '', process.argv[3]);
let served = 0;
server.on('request', () => served++);
const cpuAtStart = process.cpuUsage();
process.on('message', (message) => {
  if (message === 'exit') process.exit(0);
  if (message === 'usage-after-gc')
    globalThis.gc?.(); // the heap that is retained, not garbage not yet collected
  else if (message !== 'usage') return;
  const cpu = process.cpuUsage(cpuAtStart);
  const memory = process.memoryUsage();
  const usage: Usage = { cpuMicros: cpu.user + cpu.system, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, served };
  process.send?.(usage);
});
process.send?.({ port });
