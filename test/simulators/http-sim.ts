/**
 * A small, generic node:http simulator kit for provider API simulators.
 *
 * - listens on 127.0.0.1:0 (a free loopback port);
 * - parses JSON bodies (an unparsable body is kept raw with `bodyError: true`);
 * - records every request it receives (`requests`, cleared in place by `reset()`);
 * - failure injection by named mode: each provider simulator declares its own modes
 *   (auth, validation, rate_limit, ...) as functions returning an `Injection`; three modes
 *   are built in: `slow` (delay, then answer normally), `hang` (never answer), `drop`
 *   (destroy the connection without an answer). `200-with-error` bodies are just replies.
 *
 * `fail(mode, { times, after, path, method })` arms a failure for the next matching
 * requests: `after` lets that many matching requests through first, `times` (default:
 * until `reset()`) bounds how often it fires, `path` (substring or RegExp) and `method` filter.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body; undefined when empty or not JSON (then `bodyError` is true). */
  body: unknown;
  bodyError: boolean;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as text/plain (unless headers say otherwise); anything else as JSON. */
  body?: unknown;
}

export interface Injection {
  /** Answer with this instead of the normal handler. */
  reply?: SimReply | ((req: SimRequest) => SimReply);
  /** Never answer (the connection stays open until the client gives up or the sim closes). */
  hang?: boolean;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Wait this long before answering (with `reply`, or the normal handler). */
  delayMs?: number;
}

export interface FailOptions {
  /** How many matching requests to fail (default: until reset). */
  times?: number;
  /** Let this many matching requests through before failing. */
  after?: number;
  /** Only requests whose path contains this string or matches this RegExp. */
  path?: string | RegExp;
  method?: string;
  /** Mode-specific settings (e.g. `delayMs` for slow, `window` for a rate limit). */
  [setting: string]: unknown;
}

export type SimHandler = (req: SimRequest) => SimReply | Promise<SimReply>;

type BuiltinMode = 'slow' | 'hang' | 'drop';

export interface HttpSim<M extends string = string> {
  readonly url: string;
  readonly requests: SimRequest[];
  fail(mode: M | BuiltinMode, opts?: FailOptions): void;
  /** Clears armed failures and recorded requests (provider state is the simulator's own business). */
  reset: () => void;
  close(): Promise<void>;
}

interface Armed {
  injection: Injection;
  remaining: number;
  skip: number;
  path?: string | RegExp;
  method?: string;
}

const builtins: Record<BuiltinMode, (opts: FailOptions) => Injection> = {
  slow: (opts) => ({ delayMs: typeof opts.delayMs === 'number' ? opts.delayMs : 1_500 }),
  hang: () => ({ hang: true }),
  drop: () => ({ drop: true }),
};

export async function startHttpSim<M extends string>(
  handler: SimHandler,
  modes: Record<M, (opts: FailOptions) => Injection>,
): Promise<HttpSim<M>> {
  const requests: SimRequest[] = [];
  let armed: Armed[] = [];

  const pick = (req: SimRequest): Injection | undefined => {
    for (const a of armed) {
      if (a.remaining <= 0) continue;
      if (a.method && a.method.toUpperCase() !== req.method) continue;
      if (a.path !== undefined && !(typeof a.path === 'string' ? req.path.includes(a.path) : a.path.test(req.path))) continue;
      if (a.skip > 0) {
        a.skip--;
        continue;
      }
      a.remaining--;
      return a.injection;
    }
    return undefined;
  };

  const server = createServer((inc, res) => {
    void handle(inc, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { simulatorError: String(error) } });
    });
  });

  async function handle(inc: IncomingMessage, res: ServerResponse): Promise<void> {
    const req = await readRequest(inc);
    requests.push(req);
    const injection = pick(req);
    if (injection?.drop) {
      inc.socket.destroy();
      return;
    }
    if (injection?.hang) return;
    if (injection?.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
    if (res.destroyed) return;
    const reply = injection?.reply ? (typeof injection.reply === 'function' ? injection.reply(req) : injection.reply) : await handler(req);
    send(res, reply);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(mode, opts = {}) {
      const make = (modes as Record<string, (o: FailOptions) => Injection>)[mode] ?? builtins[mode as BuiltinMode];
      if (!make) throw new Error(`unknown simulator failure mode: ${mode}`);
      armed.push({
        injection: make(opts),
        remaining: opts.times ?? Number.POSITIVE_INFINITY,
        skip: opts.after ?? 0,
        path: opts.path,
        method: opts.method,
      });
    },
    reset() {
      armed = [];
      requests.length = 0;
    },
    close() {
      armed = [];
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readRequest(inc: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of inc) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(inc.url ?? '/', 'http://sim.local');
  let body: unknown;
  let bodyError = false;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      bodyError = true;
    }
  }
  return {
    method: (inc.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: inc.headers,
    rawBody,
    body,
    bodyError,
  };
}

function send(res: ServerResponse, reply: SimReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  let payload = '';
  if (reply.body !== undefined) {
    if (typeof reply.body === 'string') {
      payload = reply.body;
      if (!hasType) headers['content-type'] = 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(reply.body);
      if (!hasType) headers['content-type'] = 'application/json';
    }
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Small helpers simulators share. */
/** A Retry-After header when the failure options name one (seconds or an HTTP date), else none. */
export function retryAfterHeaders(value: unknown): Record<string, string> {
  return typeof value === 'string' || typeof value === 'number' ? { 'retry-after': String(value) } : {};
}

export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
