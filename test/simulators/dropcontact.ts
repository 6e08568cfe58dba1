/**
 * Dropcontact v1 simulator (shared/providers.md §2): submit `POST /v1/enrich/all`, poll
 * `GET /v1/enrich/all/{id}` (HTTP 200 "not ready yet" until `readyAfterPolls` polls were
 * made), credits, and both error shapes (`{"error":true,"reason"}` and `{"detail"}`).
 */
import {
  header,
  isObject,
  retryAfterHeaders,
  startHttpSim,
  type FailOptions,
  type HttpSim,
  type SimReply,
  type SimRequest,
} from './http-sim.js';

interface DropcontactPerson {
  match: { email?: string; first_name?: string; last_name?: string; company?: string; website?: string };
  enriched: Record<string, unknown>;
}

export interface DropcontactSimOptions {
  apiKey?: string;
  credits?: number;
  /** How many "not ready" answers each request gets before its result. */
  readyAfterPolls?: number;
  /**
   * The wait a "not ready" answer asks for ("try again in N seconds"): 30 as documented; tests
   * of the polling mechanics ask for 0 so they do not wait half a minute per poll.
   */
  retryInSeconds?: number;
  people?: DropcontactPerson[];
}

type DropcontactSimMode = 'auth' | 'credits' | 'rate_limit' | 'validation' | 'detail_error' | 'not_found' | 'server_error' | 'error_200';

export interface DropcontactSim extends HttpSim<DropcontactSimMode> {
  readonly apiKey: string;
  credits: number;
  readyAfterPolls: number;
  submits(): number;
  polls(): number;
}

const DEFAULT_PEOPLE: DropcontactPerson[] = [
  {
    match: { first_name: 'Ada', last_name: 'Lovelace', website: 'analytical.example' },
    enriched: {
      civility: 'Mrs',
      first_name: 'Ada',
      last_name: 'Lovelace',
      full_name: 'Ada Lovelace',
      email: [
        { email: 'a.lovelace@analytical.example', qualification: 'catch-all@pro' },
        { email: 'ada@analytical.example', qualification: 'nominative@pro' },
      ],
      job: 'Head of Engineering',
      linkedin: 'https://www.linkedin.com/in/ada-lovelace',
      company: 'Analytical Engines',
      website: 'https://www.analytical.example',
      nb_employees: '51-200',
      company_linkedin: 'https://www.linkedin.com/company/analytical',
    },
  },
  {
    match: { email: 'info@catchall.example' },
    enriched: { email: [{ email: 'info@catchall.example', qualification: 'catch-all@pro' }], company: 'Catch All Ltd' },
  },
  { match: { email: 'gone@invalid.example' }, enriched: { email: [{ email: 'gone@invalid.example', qualification: 'invalid@pro' }] } },
];

const notReady = (seconds: number) => ({ error: false, success: false, reason: `Request not ready yet, try again in ${seconds} seconds` });
const fail = (status: number, reason: string): SimReply => ({ status, body: { error: true, reason, success: false } });

const modes: Record<DropcontactSimMode, (o: FailOptions) => { reply: SimReply }> = {
  auth: () => ({ reply: fail(401, 'Invalid API key') }),
  credits: () => ({ reply: fail(403, 'Not enough credits') }),
  rate_limit: (o) => ({ reply: { ...fail(429, 'Too many requests'), headers: retryAfterHeaders(o.retryAfter) } }),
  validation: () => ({ reply: fail(400, 'Missing data in JSON') }),
  detail_error: () => ({
    reply: { status: 422, body: { detail: [{ loc: ['body', 'data'], msg: 'field required', type: 'value_error.missing' }] } },
  }),
  not_found: () => ({ reply: { status: 404, body: { detail: 'Not Found' } } }),
  server_error: (o) => ({ reply: { status: typeof o.status === 'number' ? o.status : 500, body: { detail: 'Internal Server Error' } } }),
  error_200: (o) => ({
    reply: {
      status: 200,
      body: { error: true, success: false, reason: typeof o.reason === 'string' ? o.reason : 'An internal error occurred' },
    },
  }),
};

export async function start(opts: DropcontactSimOptions = {}): Promise<DropcontactSim> {
  const apiKey = opts.apiKey ?? 'dropcontact-sim-token-secret-0000';
  const people = opts.people ?? DEFAULT_PEOPLE;
  const pending = new Map<string, { records: Record<string, unknown>[]; polls: number }>();
  let seq = 0;

  const enrich = (rec: Record<string, unknown>): Record<string, unknown> => {
    const lc = (v: unknown): string => (typeof v === 'string' ? v : '').toLowerCase();
    const hit = people.find((p) => Object.entries(p.match).every(([k, v]) => lc(rec[k]).replace(/^https?:\/\/(www\.)?/, '') === lc(v)));
    const echoed = Object.fromEntries(Object.entries(rec).filter(([k]) => k !== 'email'));
    if (typeof rec.email === 'string' && !hit) return { ...echoed, email: [{ email: rec.email, qualification: 'nominative@pro' }] };
    return hit ? { ...echoed, ...hit.enriched } : echoed;
  };

  const handle = (req: SimRequest): SimReply => {
    if (header(req, 'x-access-token') !== apiKey)
      return req.path.endsWith('/account/credits') ? { status: 401, body: { detail: 'Invalid token' } } : fail(401, 'Invalid API key');
    if (req.method === 'GET' && req.path === '/v1/account/credits') return { status: 200, body: { credits: sim.credits } };
    const get = /^\/v1\/enrich\/all\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && get) {
      const p = pending.get(decodeURIComponent(get[1]!));
      // Unknown ids answer like a request still in progress.
      if (!p || p.polls < sim.readyAfterPolls) {
        if (p) p.polls++;
        return { status: 200, body: notReady(opts.retryInSeconds ?? 30) };
      }
      return { status: 200, body: { data: p.records.map(enrich), error: false, success: true, credits_left: sim.credits } };
    }
    if (req.method === 'POST' && req.path === '/v1/enrich/all') {
      if (!String(header(req, 'content-type')).startsWith('application/json') || req.bodyError || !isObject(req.body))
        return fail(400, 'Invalid JSON');
      const data = req.body.data;
      if (!Array.isArray(data) || data.length === 0) return fail(400, 'Missing data in JSON');
      if (data.length > 250) return fail(400, 'Too many records, you can only submit up to 250 records');
      for (const r of data) {
        if (!isObject(r)) return fail(400, 'Each record must be an object');
        if (JSON.stringify(r).length > 15_000)
          return fail(400, 'Data size is too big, you can only submit up to 15 kB of data in a single record');
        if (
          !['email', 'linkedin', 'company', 'website', 'company_linkedin', 'num_siren', 'siret'].some(
            (k) => typeof r[k] === 'string' && r[k],
          )
        ) {
          return fail(400, 'Each record needs an email, a LinkedIn URL or a company identifier');
        }
      }
      if (sim.credits < data.length) return modes.credits({}).reply;
      sim.credits -= data.length;
      const id = `req${String(++seq).padStart(12, '0')}`;
      pending.set(id, { records: data as Record<string, unknown>[], polls: 0 });
      return { status: 200, body: { credits_left: sim.credits, request_id: id, error: false, success: true } };
    }
    return { status: 404, body: { detail: 'Not Found' } };
  };

  const base = await startHttpSim<DropcontactSimMode>(handle, modes);
  const baseReset = base.reset;
  const sim = Object.assign(base, {
    apiKey,
    credits: opts.credits ?? 1_000,
    readyAfterPolls: opts.readyAfterPolls ?? 2,
    submits: () => base.requests.filter((r) => r.method === 'POST').length,
    polls: () => base.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/enrich/all/')).length,
    reset() {
      baseReset();
      pending.clear();
      seq = 0;
      sim.credits = opts.credits ?? 1_000;
      sim.readyAfterPolls = opts.readyAfterPolls ?? 2;
    },
  }) as DropcontactSim;
  return sim;
}
