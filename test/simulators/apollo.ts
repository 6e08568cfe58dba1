/**
 * Apollo.io people-enrichment simulator (shared/providers.md §1): people/match (JSON body and
 * query parameters merged), people/bulk_match (<= 10), usage stats, auth/health, window
 * rate-limit headers, and the documented (or observed) error bodies. Serves `/api/v1` and `/v1`.
 */
import { header, isObject, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

interface ApolloPerson {
  id: string;
  first_name: string;
  last_name: string;
  name: string;
  title?: string;
  email?: string;
  email_status?: string;
  linkedin_url?: string;
  city?: string;
  state?: string;
  country?: string;
  organization?: {
    id: string;
    name: string;
    primary_domain?: string;
    website_url?: string;
    linkedin_url?: string;
    estimated_num_employees?: number;
  };
}

export interface ApolloSimOptions {
  apiKey?: string;
  /** A non-master key gets 403 API_INACCESSIBLE from usage stats. */
  masterKey?: boolean;
  /** How "no match" looks: `{"person":null}` or `{}` (exact shape [unverified]). */
  noMatch?: 'null' | 'absent';
  people?: ApolloPerson[];
}

type ApolloSimMode =
  'auth' | 'inaccessible' | 'credits' | 'rate_limit' | 'validation' | 'not_found' | 'server_error' | 'error_200' | 'short_bulk';

export interface ApolloSim extends HttpSim<ApolloSimMode> {
  readonly apiKey: string;
}

const DEFAULT_PEOPLE: ApolloPerson[] = [
  {
    id: '5f2a0000000000000000001',
    first_name: 'Ada',
    last_name: 'Lovelace',
    name: 'Ada Lovelace',
    title: 'Head of Engineering',
    email: 'ada@analytical.example',
    email_status: 'verified',
    linkedin_url: 'http://www.linkedin.com/in/ada-lovelace',
    city: 'London',
    state: 'England',
    country: 'United Kingdom',
    organization: {
      id: 'org1',
      name: 'Analytical Engines',
      primary_domain: 'analytical.example',
      website_url: 'http://www.analytical.example',
      estimated_num_employees: 120,
    },
  },
  {
    id: '5f2a0000000000000000002',
    first_name: 'Grace',
    last_name: 'Hopper',
    name: 'Grace Hopper',
    title: 'Rear Admiral',
    email: 'grace@navy.example',
    email_status: 'extrapolated',
  },
];

const LIMITS = { minute: 50, hourly: 200, daily: 600 };
const IDENTITY = ['first_name', 'last_name', 'name', 'email', 'hashed_email', 'organization_name', 'domain', 'id', 'linkedin_url'];

const modes: Record<ApolloSimMode, (o: FailOptions) => { reply: SimReply }> = {
  auth: () => ({ reply: { status: 401, body: 'Invalid access credentials.' } }),
  inaccessible: () => ({
    reply: {
      status: 403,
      body: {
        error:
          'api/v1/people/match is not accessible with this api_key on a free plan. Please upgrade your plan from https://app.apollo.io/.',
        error_code: 'API_INACCESSIBLE',
      },
    },
  }),
  credits: (o) => ({
    reply: {
      status: typeof o.status === 'number' ? o.status : 402,
      body: { error: 'You have insufficient credits to complete this request. Please purchase more credits.' },
    },
  }),
  rate_limit: (o) => {
    // window: minute | hour | day (that x-*-requests-left header is 0), message (no headers, the
    // message names the hour), none (no headers, no window in the message); key: message | detail.
    const window = typeof o.window === 'string' ? o.window : 'minute';
    const left = (w: string, n: number): string => (window === w ? '0' : String(n));
    const headers: Record<string, string> = ['minute', 'hour', 'day'].includes(window)
      ? {
          'x-rate-limit-minute': '50',
          'x-minute-requests-left': left('minute', 12),
          'x-rate-limit-hourly': '200',
          'x-hourly-requests-left': left('hour', 80),
          'x-rate-limit-daily': '600',
          'x-daily-requests-left': left('day', 300),
        }
      : {};
    const per = window === 'message' ? 'hour' : window;
    const message =
      window === 'none'
        ? 'Too many requests'
        : `The maximum number of api calls allowed for api/v1/people/match is 50 times per ${per}. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade`;
    // The message key varies between answers: `message` (default) or `detail`.
    return { reply: { status: 429, headers, body: { [o.key === 'detail' ? 'detail' : 'message']: message } } };
  },
  validation: () => ({ reply: { status: 422, body: { error: 'Invalid parameters: domain is not a valid domain' } } }),
  not_found: () => ({ reply: { status: 404, body: { error: 'Not Found' } } }),
  server_error: (o) => ({ reply: { status: typeof o.status === 'number' ? o.status : 500, body: { error: 'Internal Server Error' } } }),
  error_200: () => ({
    reply: { status: 200, body: { status: 'failed', error_code: 'INTERNAL_ERROR', error_message: 'Something went wrong', matches: [] } },
  }),
  /** A bulk_match success that lists one match, whatever was asked (a malformed answer). */
  short_bulk: () => ({
    reply: { status: 200, body: { status: 'success', error_code: null, error_message: null, matches: [null] } },
  }),
};

export async function start(opts: ApolloSimOptions = {}): Promise<ApolloSim> {
  const apiKey = opts.apiKey ?? 'apollo-sim-key-0000-secret';
  const people = opts.people ?? DEFAULT_PEOPLE;
  const used = { minute: 0, hourly: 0, daily: 0 };

  const find = (q: Record<string, unknown>): ApolloPerson | undefined => {
    const eq = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
    return people.find((p) => {
      if (q.email) return eq(p.email, q.email);
      if (q.linkedin_url)
        return eq(p.linkedin_url?.replace(/^https?:\/\/(www\.)?/, ''), (q.linkedin_url as string).replace(/^https?:\/\/(www\.)?/, ''));
      const named = eq(p.name, q.name) || (eq(p.first_name, q.first_name) && eq(p.last_name, q.last_name));
      return named && (eq(p.organization?.primary_domain, q.domain) || eq(p.organization?.name, q.organization_name));
    });
  };
  const usageHeaders = (): Record<string, string> => {
    used.minute++;
    used.hourly++;
    used.daily++;
    return {
      'x-rate-limit-minute': String(LIMITS.minute),
      'x-minute-requests-left': String(LIMITS.minute - used.minute),
      'x-minute-usage': String(used.minute),
      'x-rate-limit-hourly': String(LIMITS.hourly),
      'x-hourly-requests-left': String(LIMITS.hourly - used.hourly),
      'x-hourly-usage': String(used.hourly),
      'x-rate-limit-daily': String(LIMITS.daily),
      'x-daily-requests-left': String(LIMITS.daily - used.daily),
      'x-daily-usage': String(used.daily),
    };
  };
  const noMatchBody = (): Record<string, unknown> => (opts.noMatch === 'absent' ? {} : { person: null });

  const handle = (req: SimRequest): SimReply => {
    // Header names are case-insensitive; a Bearer token is not accepted for API keys.
    if (header(req, 'x-api-key') !== apiKey) return modes.auth({}).reply;
    const path = req.path.replace(/^\/api\/v1|^\/v1/, '');
    if (req.method === 'GET' && path === '/auth/health') return { status: 200, body: { healthy: true, is_logged_in: true } };
    if (req.method !== 'POST') return modes.not_found({}).reply;
    if (req.bodyError || (req.body !== undefined && !isObject(req.body))) return { status: 400, body: { error: 'Invalid JSON body' } };
    const body = req.body ?? {};
    const merged: Record<string, unknown> = { ...Object.fromEntries(req.query), ...body };
    if (path === '/usage_stats/api_usage_stats') {
      if (opts.masterKey === false)
        return {
          status: 403,
          body: { error: 'api/v1/usage_stats/api_usage_stats is not accessible with this api_key', error_code: 'API_INACCESSIBLE' },
        };
      const w = (limit: number, n: number) => ({ limit, consumed: n, left_over: limit - n });
      return {
        status: 200,
        body: {
          '["api/v1/people", "match"]': {
            day: w(LIMITS.daily, used.daily),
            hour: w(LIMITS.hourly, used.hourly),
            minute: w(LIMITS.minute, used.minute),
          },
        },
      };
    }
    if (path === '/people/match') {
      if (!IDENTITY.some((k) => typeof merged[k] === 'string' && merged[k]))
        return { status: 422, body: { error: 'Please provide at least one identifying parameter' } };
      const person = find(merged);
      return { status: 200, headers: usageHeaders(), body: person ? { person } : noMatchBody() };
    }
    if (path === '/people/bulk_match') {
      const details = body.details;
      if (!Array.isArray(details) || details.length < 1) return { status: 422, body: { error: 'details must be a non-empty array' } };
      if (details.length > 10) return { status: 422, body: { error: 'You can only enrich up to 10 people per request' } };
      const matches = details.map((d) => (isObject(d) ? (find(d) ?? null) : null));
      const found = matches.filter(Boolean).length;
      return {
        status: 200,
        headers: usageHeaders(),
        body: {
          status: 'success',
          error_code: null,
          error_message: null,
          total_requested_enrichments: details.length,
          unique_enriched_records: found,
          missing_records: details.length - found,
          credits_consumed: found,
          matches,
        },
      };
    }
    return modes.not_found({}).reply;
  };

  const sim = await startHttpSim<ApolloSimMode>(handle, modes);
  const baseReset = sim.reset;
  return Object.assign(sim, {
    apiKey,
    reset() {
      baseReset();
      used.minute = used.hourly = used.daily = 0;
    },
  });
}
