/**
 * NeverBounce API simulator (node:http on 127.0.0.1:0), written from shared/providers.md §8b.
 * `v4.2` paths take POST with a JSON body `{key, email}` (the official Node SDK v5); `v4` paths take
 * GET or POST with `key` / `email` query parameters (the reference docs). API errors are HTTP 200
 * with `status` other than `success`, as documented; a bad key's message echoes the key, so the
 * adapter's scrubbing is exercised.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const NB_KEY = 'secret_nbsim_5e8d21c07a';

type NeverBounceFailure =
  | 'bad_key'
  | 'bad_referrer'
  | 'no_credits'
  | 'throttled'
  | 'temp_unavail'
  | 'general_failure'
  | 'missing_param'
  | 'http_500'
  | 'http_429'
  | 'not_json'
  | 'slow'
  | 'hang'
  | 'drop';

interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  contentType: string | undefined;
  /** Where the key was found. */
  keyIn: 'query' | 'body' | 'none';
}

export interface NeverBounceSim {
  url: string;
  key: string;
  requests: SimRequest[];
  fail(mode: NeverBounceFailure, options?: { times?: number; delayMs?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

const PATHS = new Set(['/v4/single/check', '/v4.2/single/check', '/v4/account/info', '/v4.2/account/info']);

/** Local part -> [result, flags]. */
const ADDRESSES: Record<string, [string, string[]]> = {
  valid: ['valid', ['has_dns', 'has_dns_mx', 'smtp_connectable']],
  invalid: ['invalid', ['has_dns', 'has_dns_mx']],
  disposable: ['disposable', ['has_dns', 'has_dns_mx', 'disposable_email']],
  catchall: ['catchall', ['has_dns', 'has_dns_mx', 'accepts_all']],
  unknown: ['unknown', ['has_dns', 'temporary_dns_error']],
  info: ['valid', ['has_dns', 'has_dns_mx', 'role_account']],
  typo: ['invalid', ['has_dns', 'spelling_mistake']],
};

export async function start(): Promise<NeverBounceSim> {
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let failure: { mode: NeverBounceFailure; times?: number; delayMs?: number } | undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const apiError = (res: ServerResponse, status: string, message: string): void => send(res, 200, { status, message, execution_time: 5 });

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const query = Object.fromEntries(url.searchParams);
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    const v42 = url.pathname.startsWith('/v4.2/');
    // v4.2: key and email in the JSON body; v4: in the query string.
    const params: Record<string, unknown> = (v42 ? body : query) ?? {};
    const keyIn = typeof params.key === 'string' ? (v42 ? 'body' : 'query') : 'none';
    requests.push({ method: req.method ?? '', path: url.pathname, query, body, contentType: req.headers['content-type'], keyIn });
    if (!PATHS.has(url.pathname)) return send(res, 404, { message: 'Not Found' });
    if (
      v42
        ? req.method !== 'POST' || !req.headers['content-type']?.startsWith('application/json')
        : req.method !== 'GET' && req.method !== 'POST'
    ) {
      return send(res, 405, { message: 'Method Not Allowed' });
    }
    const active = failure && (failure.times === undefined || failure.times-- > 0) ? failure : undefined;
    switch (active?.mode) {
      case 'hang':
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'http_500':
        return send(res, 500, { message: 'Internal Server Error' });
      case 'http_429':
        return send(res, 429, { message: 'Too Many Requests' }, { 'retry-after': '3' });
      case 'not_json':
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
        return;
      case 'slow':
        setTimeout(() => answer(), active.delayMs ?? 1_000);
        return;
      default:
        return answer();
    }

    function answer(): void {
      if (keyIn === 'none') return apiError(res, 'general_failure', "Missing required parameter 'key'");
      if (params.key !== NB_KEY || active?.mode === 'bad_key') {
        return apiError(res, 'auth_failure', `We were unable to authenticate your request. Invalid API key '${String(params.key)}'`);
      }
      if (active?.mode === 'bad_referrer') return apiError(res, 'bad_referrer', 'The referrer for this request is not trusted');
      if (active?.mode === 'throttled') return apiError(res, 'throttle_triggered', 'Too many requests in a short amount of time');
      if (active?.mode === 'temp_unavail') return apiError(res, 'temp_unavail', 'The service is temporarily unavailable');
      if (active?.mode === 'general_failure') return apiError(res, 'general_failure', 'Something went wrong on our side');
      if (url.pathname.endsWith('/account/info')) return send(res, 200, accountInfo(active?.mode === 'no_credits'));
      if (active?.mode === 'no_credits') {
        return apiError(
          res,
          'general_failure',
          'Insufficient credit balance. This transaction requires 1 credits. The current available credit balance is 0.',
        );
      }
      if (active?.mode === 'missing_param' || typeof params.email !== 'string')
        return apiError(res, 'general_failure', "Missing required parameter 'email'");
      send(res, 200, check(params.email));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key: NB_KEY,
    requests,
    fail: (mode, options = {}) => void (failure = { mode, ...options }),
    reset: () => {
      failure = undefined;
      requests.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function check(email: string): Record<string, unknown> {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const [result, flags] = ADDRESSES[local] ?? ['valid', ['has_dns', 'has_dns_mx']];
  return {
    status: 'success',
    result,
    flags: domain === 'gmail.com' ? [...flags, 'free_email_host'] : flags,
    suggested_correction: local === 'typo' ? `jane@${domain}` : '',
    retry_token: '',
    execution_time: 499,
  };
}

function accountInfo(empty: boolean): Record<string, unknown> {
  return {
    status: 'success',
    billing_type: 'default',
    credits_info: {
      paid_credits_used: 120,
      free_credits_used: 1000,
      paid_credits_remaining: empty ? 0 : 880,
      free_credits_remaining: 0,
    },
    job_counts: { completed: 3, under_review: 0, queued: 0, processing: 1 },
    execution_time: 12,
  };
}
