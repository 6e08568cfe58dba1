/**
 * ZeroBounce API v2 simulator (node:http on 127.0.0.1:0), written from shared/providers.md §8a.
 * Checks GET, the path and the `api_key` / `email` / `ip_address` query parameters; answers the
 * documented bodies for a few sandbox addresses; fails on demand in every documented way. Where the
 * exact error text is [unverified] it answers one of several plausible wordings (`wording` index).
 * Batch validation (`POST /v2/validatebatch`, JSON `{api_key, email_batch: [{email_address,
 * ip_address}]}`, at most 200) answers `{email_batch, errors}` as the official SDK's tests show:
 * a bad key is an error for `all`; answers come in reverse order (the order is not promised);
 * `error@example.com` gets an error of its own (a simulated per-address refusal).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const ZB_KEY = 'zb-sim-key-7f3a9c41d2';

/** Plausible 200-body error texts; the first of bad_key / no_credits is the one seen in the wild. */
export const ZB_WORDINGS = {
  bad_key: ['Invalid API Key or your account ran out of credits', 'Invalid API key', 'API Key is invalid'],
  no_credits: ['Invalid API Key or your account ran out of credits', 'You do not have enough credits', 'Insufficient credits'],
  throttled: ['Too many requests, you have been blocked for 1 minute', 'Rate limit exceeded', 'Your IP has been temporarily blocked'],
  error_body: ['An unexpected error occurred'],
} as const;

type ZeroBounceFailure =
  | 'bad_key'
  | 'no_credits'
  | 'throttled'
  | 'error_body'
  | 'error_array'
  | 'http_401'
  | 'http_429'
  | 'http_500'
  | 'not_json'
  | 'slow'
  | 'hang'
  | 'drop';

interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body of a batch call. */
  body?: unknown;
}

interface FailOptions {
  /** Index into ZB_WORDINGS for the mode. */
  wording?: number;
  /** Only the next N requests fail (default: all until reset). */
  times?: number;
  /** For `slow`: delay before the normal answer. */
  delayMs?: number;
}

export interface ZeroBounceSim {
  url: string;
  key: string;
  requests: SimRequest[];
  fail(mode: ZeroBounceFailure, options?: FailOptions): void;
  reset(): void;
  close(): Promise<void>;
}

/** Sandbox local parts at example.com and what they return (status, sub_status). */
const SANDBOX: Record<string, [string, string]> = {
  valid: ['valid', ''],
  invalid: ['invalid', 'mailbox_not_found'],
  disposable: ['do_not_mail', 'disposable'],
  role: ['do_not_mail', 'role_based'],
  'catch-all': ['catch-all', ''],
  unknown: ['unknown', 'greylisted'],
  spamtrap: ['spamtrap', ''],
  abuse: ['abuse', ''],
  typo: ['invalid', 'possible_typo'],
};

export async function start(): Promise<ZeroBounceSim> {
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let failure: { mode: ZeroBounceFailure; options: FailOptions } | undefined;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  const batch = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      let body: { api_key?: unknown; email_batch?: unknown } | undefined;
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      if (req.method !== 'POST') return json(res, 405, { error: 'Method not allowed' });
      if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { error: 'Unsupported Media Type' });
      const active = failure && (failure.options.times === undefined || failure.options.times-- > 0) ? failure : undefined;
      if (active?.mode === 'http_429') return json(res, 429, { error: 'Too Many Requests' }, { 'retry-after': '600' });
      if (active?.mode === 'http_500') return json(res, 500, { error: 'Internal Server Error' });
      const all = (error: string): void => json(res, 200, { email_batch: [], errors: [{ email_address: 'all', error }] });
      if (body?.api_key !== ZB_KEY || active?.mode === 'bad_key') return all('Invalid API Key or your account ran out of credits');
      const entries = body.email_batch;
      if (!Array.isArray(entries) || entries.length === 0) return all('Missing parameter: email_batch');
      if (entries.length > 200) return all('Maximum of 200 emails per batch'); // [unverified] wording
      const emails = entries.map((e: { email_address?: unknown; ip_address?: unknown }) => e.email_address);
      if (emails.some((e) => typeof e !== 'string' || e === '')) return all('Missing parameter: email_address');
      const answers = (emails as string[]).filter((e) => e.toLowerCase() !== 'error@example.com').map(validation);
      const errors = (emails as string[])
        .filter((e) => e.toLowerCase() === 'error@example.com')
        .map((email_address) => ({ email_address, error: 'Invalid email address' }));
      return json(res, 200, { email_batch: answers.reverse(), errors });
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/v2/validatebatch') return batch(req, res, url);
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? '', path: url.pathname, query });
    if (req.method !== 'GET') return json(res, 405, { error: 'Method not allowed' });
    if (url.pathname !== '/v2/validate' && url.pathname !== '/v2/getcredits') return json(res, 404, { error: 'Not found' });

    const active = failure && (failure.options.times === undefined || failure.options.times-- > 0) ? failure : undefined;
    const credits = url.pathname === '/v2/getcredits';
    const wording = (list: readonly string[]): string => list[(active?.options.wording ?? 0) % list.length]!;
    switch (active?.mode) {
      case 'hang':
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'http_401':
        return json(res, 401, { error: 'Unauthorized' });
      case 'http_429':
        return json(res, 429, { error: 'Too Many Requests' }, { 'retry-after': '7' });
      case 'http_500':
        return json(res, 500, { error: 'Internal Server Error' });
      case 'not_json':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      case 'slow':
        setTimeout(() => answer(), active.options.delayMs ?? 1_000);
        return;
      default:
        return answer();
    }

    function answer(): void {
      const badKey = query.api_key !== ZB_KEY || active?.mode === 'bad_key';
      if (credits) {
        if (badKey) return json(res, 200, { Credits: '-1' });
        if (active?.mode === 'no_credits') return json(res, 200, { Credits: '0' });
        if (active?.mode === 'throttled') return json(res, 200, { error: wording(ZB_WORDINGS.throttled) });
        return json(res, 200, { Credits: '2375323' });
      }
      if (active?.mode === 'throttled') return json(res, 200, { error: wording(ZB_WORDINGS.throttled) });
      if (badKey) return json(res, 200, { error: wording(ZB_WORDINGS.bad_key) });
      if (active?.mode === 'no_credits') return json(res, 200, { error: wording(ZB_WORDINGS.no_credits) });
      if (active?.mode === 'error_body') return json(res, 200, { error: wording(ZB_WORDINGS.error_body) });
      if (active?.mode === 'error_array') return json(res, 200, { error: [ZB_WORDINGS.bad_key[0]] });
      // ip_address "can be blank, but parameter required"
      if (!query.email || !('ip_address' in query))
        return json(res, 200, { error: 'Missing parameter: email and ip_address are required' });
      return json(res, 200, validation(query.email));
    }
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key: ZB_KEY,
    requests,
    fail: (mode, options = {}) => void (failure = { mode, options: { ...options } }),
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

function validation(email: string): Record<string, unknown> {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const [status, sub] = domain === 'example.com' ? (SANDBOX[local] ?? ['valid', '']) : ['valid', ''];
  return {
    address: email,
    status,
    sub_status: sub,
    free_email: domain === 'gmail.com',
    did_you_mean: local === 'typo' ? 'jane@example.com' : null,
    account: local,
    domain,
    domain_age_days: '9692',
    smtp_provider: 'example',
    mx_found: status === 'invalid' && sub === 'no_dns_entries' ? 'false' : 'true',
    mx_record: `mx.${domain}`,
    firstname: null,
    lastname: null,
    gender: null,
    country: null,
    region: null,
    city: null,
    zipcode: null,
    processed_at: '2023-04-27 13:47:23.980',
  };
}
