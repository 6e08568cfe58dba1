/**
 * X API v2 simulator (shared/providers.md §6): `POST /2/tweets` and `GET /2/users/me`.
 * Every response carries `x-rate-limit-*`; POST /2/tweets also the 24-hour caps
 * (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`). Windows are counted, so spending a
 * limit gives a real 429. Errors are problem+json; identical text → 403 duplicate content.
 */
import {
  header,
  isObject,
  startHttpSim,
  type FailOptions,
  type HttpSim,
  type Injection,
  type SimReply,
  type SimRequest,
} from './http-sim.js';

export interface XSimOptions {
  token?: string;
  /** POST /2/tweets per 15 minutes (default 100). */
  windowLimit?: number;
  /** Posts per user / per app per 24 hours (defaults 1000 / 10000). */
  userDayLimit?: number;
  appDayLimit?: number;
}

type XFailMode =
  | 'auth'
  | 'forbidden'
  | 'duplicate'
  | 'validation'
  | 'rate_limit'
  | 'cap_24h_user'
  | 'cap_24h_app'
  | 'cap_hidden'
  | 'server_error'
  | 'partial_errors'
  | 'error_in_200';

export interface XSim extends HttpSim<XFailMode> {
  readonly tweets: Map<string, string>;
  readonly token: string;
  /** Epoch seconds of the 15-minute and 24-hour resets the headers announce. */
  readonly windowReset: number;
  readonly dayReset: number;
}

const PROBLEM = { 'content-type': 'application/problem+json' };

const X_PROBLEMS = {
  unauthorized: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
  duplicate: {
    detail: 'You are not allowed to create a Tweet with duplicate content.',
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
  },
  forbidden: { detail: 'You are not permitted to perform this action.', type: 'about:blank', title: 'Forbidden', status: 403 },
  tooMany: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
  invalid: (message: string, parameters: Record<string, unknown> = {}) => ({
    errors: [{ parameters, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  }),
};

export async function start(opts: XSimOptions = {}): Promise<XSim> {
  const token = opts.token ?? 'x-user-token-valid';
  const windowLimit = opts.windowLimit ?? 100;
  const userDayLimit = opts.userDayLimit ?? 1000;
  const appDayLimit = opts.appDayLimit ?? 10_000;
  const tweets = new Map<string, string>();
  const nowS = (): number => Math.floor(Date.now() / 1000);
  const windowReset = nowS() + 15 * 60;
  const dayReset = nowS() + 24 * 3600;
  let used = { window: 0, user: 0, app: 0, me: 0 };
  let seq = 1346889436626259968n;

  const limits = (post: boolean, o: { window?: number; user?: number; app?: number } = {}): Record<string, string> => {
    const h: Record<string, string> = {
      'x-rate-limit-limit': String(post ? windowLimit : 75),
      'x-rate-limit-remaining': String(o.window ?? Math.max(0, post ? windowLimit - used.window : 75 - used.me)),
      'x-rate-limit-reset': String(windowReset),
    };
    if (post) {
      Object.assign(h, {
        'x-user-limit-24hour-limit': String(userDayLimit),
        'x-user-limit-24hour-remaining': String(o.user ?? Math.max(0, userDayLimit - used.user)),
        'x-user-limit-24hour-reset': String(dayReset),
        'x-app-limit-24hour-limit': String(appDayLimit),
        'x-app-limit-24hour-remaining': String(o.app ?? Math.max(0, appDayLimit - used.app)),
        'x-app-limit-24hour-reset': String(dayReset),
      });
    }
    return h;
  };
  const problem = (status: number, body: unknown, post: boolean): SimReply => ({ status, body, headers: { ...PROBLEM, ...limits(post) } });

  const handler = (req: SimRequest): SimReply => {
    const post = req.method === 'POST' && req.path === '/2/tweets';
    if (req.method === 'GET' && req.path === '/2/users/me') {
      if (header(req, 'authorization') !== `Bearer ${token}`) return problem(401, X_PROBLEMS.unauthorized, false);
      used.me++;
      return { status: 200, body: { data: { id: '2244994945', name: 'X Dev', username: 'TwitterDev' } }, headers: limits(false) };
    }
    if (!post) return problem(404, { title: 'Not Found Error', type: 'about:blank', status: 404, detail: 'Not Found' }, false);
    if (header(req, 'authorization') !== `Bearer ${token}`) return problem(401, X_PROBLEMS.unauthorized, true);
    if (!(header(req, 'content-type') ?? '').startsWith('application/json')) {
      return problem(400, X_PROBLEMS.invalid('Requests with bodies must have content-type of application/json.'), true);
    }
    if (used.window >= windowLimit || used.user >= userDayLimit || used.app >= appDayLimit) return problem(429, X_PROBLEMS.tooMany, true);
    if (req.bodyError || !isObject(req.body)) return problem(400, X_PROBLEMS.invalid('Request body is not valid JSON'), true);
    const text = req.body.text;
    if (typeof text !== 'string' || text.length === 0)
      return problem(400, X_PROBLEMS.invalid('$.text: expected a non-empty string', { text: [String(text)] }), true);
    if (weighted(text) > 280) return problem(400, X_PROBLEMS.invalid('$.text: text is too long', { text: [text] }), true);
    const known = new Set([
      'text',
      'reply',
      'quote_tweet_id',
      'media',
      'poll',
      'reply_settings',
      'geo',
      'for_super_followers_only',
      'nullcast',
    ]);
    const unknown = Object.keys(req.body).find((k) => !known.has(k));
    if (unknown)
      return problem(
        400,
        X_PROBLEMS.invalid(`The query parameter [${unknown}] is not one of [${[...known].join(',')}]`, { [unknown]: [] }),
        true,
      );
    for (const t of tweets.values()) if (t === text) return problem(403, X_PROBLEMS.duplicate, true);
    used = { ...used, window: used.window + 1, user: used.user + 1, app: used.app + 1 };
    const id = (seq++).toString();
    tweets.set(id, text);
    return { status: 201, body: { data: { id, text, edit_history_tweet_ids: [id] } }, headers: limits(true) };
  };

  const modes: Record<XFailMode, (o: FailOptions) => Injection> = {
    auth: () => ({ reply: (r) => problem(401, X_PROBLEMS.unauthorized, r.path === '/2/tweets') }),
    forbidden: () => ({ reply: problem(403, X_PROBLEMS.forbidden, true) }),
    duplicate: () => ({ reply: problem(403, X_PROBLEMS.duplicate, true) }),
    validation: () => ({ reply: problem(400, X_PROBLEMS.invalid('$.text: invalid', { text: [] }), true) }),
    rate_limit: () => ({
      reply: (r) => ({ status: 429, body: X_PROBLEMS.tooMany, headers: { ...PROBLEM, ...limits(r.path === '/2/tweets', { window: 0 }) } }),
    }),
    cap_24h_user: () => ({
      reply: { status: 429, body: X_PROBLEMS.tooMany, headers: { ...PROBLEM, ...limits(true, { window: 50, user: 0 }) } },
    }),
    cap_24h_app: () => ({
      reply: { status: 429, body: X_PROBLEMS.tooMany, headers: { ...PROBLEM, ...limits(true, { window: 50, app: 0 }) } },
    }),
    cap_hidden: () => ({
      reply: { status: 429, body: X_PROBLEMS.tooMany, headers: { ...PROBLEM, ...limits(true, { window: 50, user: 3, app: 900 }) } },
    }),
    server_error: () => ({
      reply: problem(503, { title: 'Service Unavailable', type: 'about:blank', status: 503, detail: 'Service Unavailable' }, true),
    }),
    partial_errors: () => ({
      reply: (r) => ({
        status: 201,
        body: {
          data: { id: (seq++).toString(), text: isObject(r.body) ? r.body.text : '' },
          errors: [{ title: 'Partial Error', type: 'about:blank', detail: 'edit_history could not be loaded' }],
        },
        headers: limits(true),
      }),
    }),
    error_in_200: () => ({
      reply: {
        status: 200,
        body: {
          errors: [
            {
              title: 'Forbidden',
              type: 'about:blank',
              status: 403,
              detail: 'You are not allowed to create a Tweet with duplicate content.',
            },
          ],
        },
        headers: limits(true),
      },
    }),
  };

  const sim = await startHttpSim<XFailMode>(handler, modes);
  const reset = sim.reset;
  return Object.assign(sim, {
    tweets,
    token,
    windowReset,
    dayReset,
    reset() {
      reset();
      tweets.clear();
      used = { window: 0, user: 0, app: 0, me: 0 };
    },
  });
}

function weighted(text: string): number {
  const urls = text.match(/https?:\/\/\S+/g) ?? [];
  return [...text.replace(/https?:\/\/\S+/g, '')].length + urls.length * 23;
}
