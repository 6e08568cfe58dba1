/**
 * Facebook Graph API simulator (shared/providers.md §7): `POST /{version}/{page-id}/feed`
 * (form-encoded or JSON, `access_token` as a parameter) and `GET /{version}/me`. Errors are
 * `{"error":{message,type,code,error_subcode?,is_transient?,fbtrace_id}}`, mostly HTTP 400;
 * every answer carries `X-App-Usage` and `X-Business-Use-Case-Usage`. Identical messages → #506.
 */
import { createHmac } from 'node:crypto';
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

export interface FacebookSimOptions {
  pageId?: string;
  pageName?: string;
  token?: string;
  /** When set, calls must carry a matching appsecret_proof ("Require App Secret"). */
  appSecret?: string;
}

type FacebookFailMode =
  | 'auth'
  | 'expired'
  | 'permission'
  | 'rate_limit'
  | 'app_limit'
  | 'policy_block'
  | 'duplicate'
  | 'invalid'
  | 'unknown_error'
  | 'service_error'
  | 'error_in_200'
  | 'high_usage';

export interface FacebookSim extends HttpSim<FacebookFailMode> {
  readonly posts: Map<string, { message?: string; link?: string }>;
  readonly pageId: string;
  readonly token: string;
}

const VERSION = /^\/(v\d+\.\d+)\//;
let trace = 0;

function graphError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): SimReply {
  return {
    status,
    body: { error: { type: 'OAuthException', fbtrace_id: `Sim${(trace++).toString(36)}`, ...error } },
    headers: { ...usage(), ...headers },
  };
}

function usage(percent = 5, regainMinutes = 0, id = 'page'): Record<string, string> {
  return {
    'x-app-usage': JSON.stringify({ call_count: percent, total_time: percent, total_cputime: percent }),
    'x-business-use-case-usage': JSON.stringify({
      [id]: [
        { type: 'pages', call_count: percent, total_cputime: percent, total_time: percent, estimated_time_to_regain_access: regainMinutes },
      ],
    }),
  };
}

export async function start(opts: FacebookSimOptions = {}): Promise<FacebookSim> {
  const pageId = opts.pageId ?? '546349135390552';
  const token = opts.token ?? 'EAAsimPageToken123';
  const posts = new Map<string, { message?: string; link?: string }>();
  let seq = 1116689038356556n;

  const params = (req: SimRequest): URLSearchParams => {
    const p = new URLSearchParams(req.query);
    const type = header(req, 'content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(req.rawBody)) p.set(k, v);
    else if (type.startsWith('application/json') && isObject(req.body)) for (const [k, v] of Object.entries(req.body)) p.set(k, String(v));
    return p;
  };

  const authProblem = (p: URLSearchParams): SimReply | undefined => {
    const t = p.get('access_token');
    if (!t)
      return graphError(400, { message: 'An active access token must be used to query information about the current user.', code: 2500 });
    if (t !== token) return graphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
    if (opts.appSecret) {
      const proof = p.get('appsecret_proof');
      if (!proof)
        return graphError(400, {
          message: 'API calls from the server require an appsecret_proof argument',
          type: 'GraphMethodException',
          code: 100,
        });
      if (proof !== createHmac('sha256', opts.appSecret).update(t).digest('hex')) {
        return graphError(400, {
          message: 'Invalid appsecret_proof provided in the API argument',
          type: 'GraphMethodException',
          code: 100,
        });
      }
    }
    return undefined;
  };

  const handler = (req: SimRequest): SimReply => {
    const version = VERSION.exec(req.path)?.[1];
    if (!version) return graphError(400, { message: 'Unknown path components', code: 2500 });
    const rest = req.path.slice(version.length + 2);
    const p = params(req);
    const denied = authProblem(p);
    if (denied) return denied;
    if (req.method === 'GET' && rest === 'me') {
      const fields = (p.get('fields') ?? 'id,name').split(',');
      const body: Record<string, string> = { id: pageId };
      if (fields.includes('name')) body.name = opts.pageName ?? 'Sim Page';
      return { status: 200, body, headers: usage() };
    }
    const feed = /^(\d+)\/feed$/.exec(rest);
    if (req.method !== 'POST' || !feed)
      return graphError(400, { message: `Unsupported ${req.method} request.`, type: 'GraphMethodException', code: 100 });
    if (feed[1] !== pageId) {
      return graphError(403, {
        message:
          '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
        code: 200,
      });
    }
    const message = p.get('message') ?? undefined;
    const link = p.get('link') ?? undefined;
    if (!message && !link) return graphError(400, { message: '(#100) Missing message or attachment', code: 100 });
    if (link && !/^https?:\/\//.test(link)) return graphError(400, { message: '(#100) The parameter link must be a valid URL', code: 100 });
    for (const post of posts.values())
      if (message && post.message === message) return graphError(400, { message: '(#506) Duplicate status message', code: 506 });
    const id = `${pageId}_${(seq++).toString()}`;
    posts.set(id, { message, link });
    return { status: 200, body: { id }, headers: usage() };
  };

  const reply = (r: SimReply): Injection => ({ reply: r });
  const modes: Record<FacebookFailMode, (o: FailOptions) => Injection> = {
    auth: () => reply(graphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 })),
    expired: () => reply(graphError(400, { message: 'Error validating access token: Session has expired', code: 190, error_subcode: 463 })),
    permission: () =>
      reply(graphError(403, { message: "(#200) The user hasn't authorized the application to perform this action", code: 200 })),
    /** `code` 4/17/32/613/80001, `status` 400 or 403, `regainMinutes` for the BUC header. */
    rate_limit: (o) => {
      const code = typeof o.code === 'number' ? o.code : 4;
      const msg: Record<number, string> = {
        4: '(#4) Application request limit reached',
        17: '(#17) User request limit reached',
        32: '(#32) Page request limit reached',
        613: 'Calls to this api have exceeded the rate limit.',
        80001: '(#80001) There have been too many calls to this Page account. Wait a bit and try again.',
      };
      const regain = typeof o.regainMinutes === 'number' ? o.regainMinutes : 0;
      return reply(
        graphError(
          typeof o.status === 'number' ? o.status : 400,
          { message: msg[code] ?? 'rate limited', code, is_transient: true },
          usage(100, regain),
        ),
      );
    },
    app_limit: () => reply(graphError(400, { message: '(#341) Application limit reached', code: 341 })),
    policy_block: () =>
      reply(
        graphError(400, {
          message: "It looks like you were misusing this feature by going too fast. You've been temporarily blocked from using it.",
          code: 368,
          error_subcode: 1390008,
        }),
      ),
    duplicate: () => reply(graphError(400, { message: '(#506) Duplicate status message', code: 506 })),
    invalid: () => reply(graphError(400, { message: '(#100) Invalid parameter', code: 100 })),
    unknown_error: () => reply(graphError(500, { message: 'An unknown error has occurred.', code: 1, is_transient: true })),
    service_error: () =>
      reply(
        graphError(503, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }),
      ),
    error_in_200: () =>
      reply(
        graphError(200, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }),
      ),
    high_usage: () => ({ reply: (r) => ({ ...handler(r), headers: usage(97) }) }),
  };

  const sim = await startHttpSim<FacebookFailMode>(handler, modes);
  const reset = sim.reset;
  return Object.assign(sim, {
    posts,
    pageId,
    token,
    reset() {
      reset();
      posts.clear();
    },
  });
}
