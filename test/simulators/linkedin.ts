/**
 * LinkedIn Posts API simulator (shared/providers.md §5): `POST /rest/posts` and `GET /v2/userinfo`.
 * Checks the bearer token, `LinkedIn-Version` (missing → 400 VERSION_MISSING, retired →
 * 426 NONEXISTENT_VERSION), `X-Restli-Protocol-Version: 2.0.0`, the JSON body shape, the
 * author against the token's member, and rejects identical commentary with 422 DUPLICATE_POST.
 * Success: 201, empty body, the post URN in `x-restli-id`.
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

export interface LinkedinSimOptions {
  /** The valid token (default `li-token-valid`). */
  token?: string;
  /** Member id behind the token (`sub`). */
  memberSub?: string;
  /** Versions older than this (YYYYMM) answer 426 (default 202511). */
  oldestActiveVersion?: string;
  /** Organizations the member may post for. */
  organizations?: string[];
}

type LinkedinFailMode =
  | 'auth'
  | 'revoked'
  | 'forbidden'
  | 'validation'
  | 'duplicate'
  | 'rate_limit'
  | 'retired_version'
  | 'server_error'
  | 'unavailable'
  | 'no_id'
  | 'userinfo_forbidden';

export interface LinkedinSim extends HttpSim<LinkedinFailMode> {
  /** Published posts by URN. */
  readonly posts: Map<string, { author: string; commentary: string; body: Record<string, unknown> }>;
  readonly token: string;
  readonly memberSub: string;
}

const err = (status: number, body: Record<string, unknown>, headers?: Record<string, string>): SimReply => ({
  status,
  body: { status, ...body },
  headers,
});

const LINKEDIN_ERRORS = {
  invalidToken: () => err(401, { serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' }),
  revoked: () =>
    err(401, {
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    }),
  forbidden: () =>
    err(403, {
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
      message: 'Not enough permissions to access: partnerApiPostsExternal.CREATE.20250101',
    }),
  versionMissing: () =>
    err(400, {
      code: 'VERSION_MISSING',
      message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    }),
  retired: (version: string) => err(426, { code: 'NONEXISTENT_VERSION', message: `Requested version ${version} is not active` }),
  throttled: () => err(429, { serviceErrorCode: 101, message: 'Resource level throttle limit for calls to this resource is reached.' }),
  duplicate: (urn: string) =>
    err(422, {
      errorDetailType: 'com.linkedin.common.error.BadRequest',
      message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${urn}`,
      errorDetails: { inputErrors: [{ description: 'Duplicate post is detected', input: {}, code: 'DUPLICATE_POST' }] },
    }),
  invalidField: (path: string, description: string) =>
    err(422, {
      errorDetailType: 'com.linkedin.common.error.BadRequest',
      message: `ERROR :: ${path} :: ${description}`,
      errorDetails: { inputErrors: [{ description, input: { inputPath: { fieldPath: path } }, code: 'INVALID_VALUE' }] },
    }),
};

export async function start(opts: LinkedinSimOptions = {}): Promise<LinkedinSim> {
  const token = opts.token ?? 'li-token-valid';
  const memberSub = opts.memberSub ?? 'Ab1cD2eF3g';
  const oldest = opts.oldestActiveVersion ?? '202511';
  const organizations = opts.organizations ?? ['2414183'];
  const posts = new Map<string, { author: string; commentary: string; body: Record<string, unknown> }>();
  let seq = 7141138937766391808n;

  const authOk = (req: SimRequest): boolean => header(req, 'authorization') === `Bearer ${token}`;

  const handler = (req: SimRequest): SimReply => {
    if (req.method === 'GET' && req.path === '/v2/userinfo') {
      if (!authOk(req)) return LINKEDIN_ERRORS.invalidToken();
      return {
        status: 200,
        body: {
          sub: memberSub,
          name: 'Sim Member',
          given_name: 'Sim',
          family_name: 'Member',
          locale: { country: 'US', language: 'en' },
          email_verified: true,
        },
      };
    }
    if (req.path !== '/rest/posts') return err(404, { message: `No resource found for ${req.path}` });
    if (req.method !== 'POST' && req.method !== 'GET') return err(405, { message: 'Method not allowed' });
    if (!authOk(req)) return LINKEDIN_ERRORS.invalidToken();
    const version = header(req, 'linkedin-version');
    if (!version) return LINKEDIN_ERRORS.versionMissing();
    if (!/^\d{6}(\.\d{2})?$/.test(version) || version.slice(0, 6) < oldest) return LINKEDIN_ERRORS.retired(version);
    if (req.method === 'GET') {
      // Find posts by author: the versioned gateway checked the version first; reading needs r_member_social, which tokens rarely have.
      if (req.query.get('q') !== 'author' || !req.query.get('author')) return err(400, { message: 'q=author and author are required' });
      return LINKEDIN_ERRORS.forbidden();
    }
    if (header(req, 'x-restli-protocol-version') !== '2.0.0') {
      return err(400, { message: 'Restli protocol version 1.0.0 does not support this request; send X-Restli-Protocol-Version: 2.0.0' });
    }
    if (!(header(req, 'content-type') ?? '').startsWith('application/json') || req.bodyError || !isObject(req.body)) {
      return err(400, { message: 'Request body must be a JSON object' });
    }
    const problem = validate(req.body);
    if (problem) return LINKEDIN_ERRORS.invalidField(problem[0], problem[1]);
    const body = req.body;
    const author = body.author as string;
    const allowed = author === `urn:li:person:${memberSub}` || organizations.some((o) => author === `urn:li:organization:${o}`);
    if (!allowed) return LINKEDIN_ERRORS.forbidden();
    for (const [urn, p] of posts) if (p.author === author && p.commentary === body.commentary) return LINKEDIN_ERRORS.duplicate(urn);
    const urn = `urn:li:share:${(seq++).toString()}`;
    posts.set(urn, { author, commentary: body.commentary as string, body });
    return { status: 201, headers: { 'x-restli-id': urn, 'x-linkedin-id': urn } };
  };

  const once = (reply: SimReply | ((r: SimRequest) => SimReply)): Injection => ({ reply });
  const modes: Record<LinkedinFailMode, (o: FailOptions) => Injection> = {
    auth: () => once(LINKEDIN_ERRORS.invalidToken()),
    revoked: () => once(LINKEDIN_ERRORS.revoked()),
    forbidden: () => once(LINKEDIN_ERRORS.forbidden()),
    validation: () => once(LINKEDIN_ERRORS.invalidField('/visibility', 'Value is not a valid enum symbol')),
    duplicate: () => once(LINKEDIN_ERRORS.duplicate('urn:li:share:7000000000000000001')),
    rate_limit: () => once(LINKEDIN_ERRORS.throttled()),
    retired_version: (o) =>
      once((r) => LINKEDIN_ERRORS.retired((o.version as string | undefined) ?? header(r, 'linkedin-version') ?? '202401')),
    server_error: () => once(err(500, { message: 'Internal Server Error' })),
    unavailable: () => once(err(503, { message: 'Service Unavailable' })),
    no_id: () => once({ status: 201 }),
    userinfo_forbidden: () =>
      once(
        err(403, { serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: userinfo.GET.NO_VERSION' }),
      ),
  };

  const sim = await startHttpSim<LinkedinFailMode>(handler, modes);
  const reset = sim.reset;
  return Object.assign(sim, {
    posts,
    token,
    memberSub,
    reset() {
      reset();
      posts.clear();
    },
  });
}

const VISIBILITY = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'];

/** The first problem of a post body, as [fieldPath, description]. */
function validate(b: Record<string, unknown>): [string, string] | undefined {
  if (typeof b.author !== 'string' || !/^urn:li:(person|organization):[A-Za-z0-9_-]+$/.test(b.author))
    return ['/author', 'Invalid author URN'];
  if (typeof b.commentary !== 'string') return ['/commentary', 'Missing required field'];
  if (typeof b.visibility !== 'string' || !VISIBILITY.includes(b.visibility)) return ['/visibility', 'Value is not a valid enum symbol'];
  const d = b.distribution;
  if (!isObject(d)) return ['/distribution', 'Missing required field'];
  if (d.feedDistribution !== 'MAIN_FEED' && d.feedDistribution !== 'NONE')
    return ['/distribution/feedDistribution', 'Value is not a valid enum symbol'];
  if (!Array.isArray(d.targetEntities)) return ['/distribution/targetEntities', 'Missing required field'];
  if (!Array.isArray(d.thirdPartyDistributionChannels)) return ['/distribution/thirdPartyDistributionChannels', 'Missing required field'];
  if (b.lifecycleState !== 'PUBLISHED' && b.lifecycleState !== 'DRAFT') return ['/lifecycleState', 'Value is not a valid enum symbol'];
  if (b.content !== undefined) {
    const article = isObject(b.content) ? b.content.article : undefined;
    if (!isObject(article) || typeof article.source !== 'string' || !/^https?:\/\//.test(article.source))
      return ['/content/article/source', 'Invalid URL'];
    if (typeof article.title !== 'string' || article.title === '') return ['/content/article/title', 'Missing required field'];
  }
  return undefined;
}
