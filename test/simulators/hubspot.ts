/**
 * HubSpot CRM v3 objects simulator (shared/providers.md §4): batch upsert on a unique property,
 * batch create (409 CONFLICT for the whole batch when a unique value exists; results echo each
 * input's objectWriteTraceId, as the current API does), single PATCH by id, list, rate-limit headers on every answer, and the documented error bodies.
 * Invalid inputs in a batch answer 207 with `errors[]` by default; `invalidInputs: '400'` makes
 * the whole batch fail instead (the 207 behaviour of upsert is [unverified]).
 */
import { header, isObject, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

export interface HubSpotSimOptions {
  token?: string;
  objects?: string[];
  uniqueProperties?: string[];
  invalidInputs?: '207' | '400';
  /** The account's time zone, as `GET /account-info/v3/details` reports it (default `US/Eastern`). */
  timeZone?: string;
}

interface HubSpotObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: false;
}

type HubSpotSimMode =
  'auth' | 'expired' | 'scopes' | 'validation' | 'not_found' | 'conflict' | 'rate_limit' | 'daily_limit' | 'server_error' | 'error_200';

export interface HubSpotSim extends HttpSim<HubSpotSimMode> {
  readonly token: string;
  /** How often the account details were read. */
  accountDetailsReads(): number;
  objects(type?: string): HubSpotObject[];
}

const cid = (): string => '3f1c2a4e-0000-4000-8000-000000000001';
const err = (status: number, category: string, message: string, extra: Record<string, unknown> = {}): SimReply => ({
  status,
  body: { status: 'error', message, correlationId: cid(), category, ...extra },
});
const AUTH = err(
  401,
  'INVALID_AUTHENTICATION',
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
);
const rateHeaders = (remaining: number): Record<string, string> => ({
  'x-hubspot-ratelimit-interval-milliseconds': '10000',
  'x-hubspot-ratelimit-max': '100',
  'x-hubspot-ratelimit-remaining': String(remaining),
  'x-hubspot-ratelimit-daily': '250000',
  'x-hubspot-ratelimit-daily-remaining': String(remaining === 0 ? 0 : 249_000),
});

const modes: Record<HubSpotSimMode, (o: FailOptions) => { reply: SimReply }> = {
  auth: () => ({ reply: AUTH }),
  expired: () => ({ reply: err(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired 2 hour(s) ago.') }),
  scopes: () => ({
    reply: err(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call.", {
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: ['crm.objects.contacts.write'] },
        },
      ],
    }),
  }),
  validation: () => ({
    reply: err(
      400,
      'VALIDATION_ERROR',
      'Property values were not valid: [{"isValid":false,"message":"Property \\"favourite_colour\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"favourite_colour"}]',
    ),
  }),
  not_found: () => ({ reply: err(404, 'OBJECT_NOT_FOUND', 'resource not found') }),
  conflict: (o) => ({
    reply: err(409, 'CONFLICT', `Contact already exists. Existing ID: ${typeof o.existingId === 'string' ? o.existingId : '12345'}`),
  }),
  rate_limit: (o) => ({
    reply: {
      status: 429,
      headers: { ...rateHeaders(0), ...(typeof o.retryAfter === 'string' ? { 'retry-after': o.retryAfter } : {}) },
      body: {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: cid(),
        policyName: typeof o.policy === 'string' ? o.policy : 'TEN_SECONDLY_ROLLING',
        requestId: 'req-1',
      },
    },
  }),
  daily_limit: () => ({
    reply: {
      status: 429,
      headers: rateHeaders(0),
      body: {
        status: 'error',
        message: 'You have reached your daily limit.',
        errorType: 'RATE_LIMIT',
        correlationId: cid(),
        policyName: 'DAILY',
        requestId: 'req-2',
      },
    },
  }),
  server_error: (o) => ({ reply: err(typeof o.status === 'number' ? o.status : 502, 'INTERNAL_ERROR', 'Internal error') }),
  error_200: () => ({
    reply: { status: 200, body: { status: 'error', message: 'internal error', correlationId: cid(), category: 'INTERNAL_ERROR' } },
  }),
};

/** What a batch/create input may hold. */
const CREATE_KEYS = new Set(['properties', 'associations', 'objectWriteTraceId']);

export async function start(opts: HubSpotSimOptions = {}): Promise<HubSpotSim> {
  const token = opts.token ?? 'pat-na1-00000000-hubspot-secret-token';
  const store = new Map<string, Map<string, HubSpotObject>>((opts.objects ?? ['contacts', 'companies']).map((o) => [o, new Map()]));
  const unique = opts.uniqueProperties ?? ['email'];
  let seq = 1000;

  let detailsReads = 0;
  const handle = (req: SimRequest): SimReply => {
    if (header(req, 'authorization') !== `Bearer ${token}`) return AUTH;
    if (req.path === '/account-info/v3/details') {
      if (req.method !== 'GET') return err(405, 'VALIDATION_ERROR', 'Method not allowed');
      detailsReads++;
      const timeZone = opts.timeZone ?? 'US/Eastern';
      return {
        status: 200,
        headers: rateHeaders(99),
        body: {
          portalId: 62515,
          timeZone,
          companyCurrency: 'USD',
          additionalCurrencies: [],
          utcOffset: '-05:00',
          utcOffsetMilliseconds: -18000000,
          uiDomain: 'app.hubspot.com',
          dataHostingLocation: 'na1',
          accountType: 'STANDARD',
        },
      };
    }
    const m = /^\/crm\/v3\/objects\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(req.path);
    const objects = m ? store.get(m[1]!) : undefined;
    if (!m || !objects) return err(404, 'OBJECT_NOT_FOUND', 'resource not found');
    const withHeaders = (r: SimReply): SimReply => ({ ...r, headers: { ...rateHeaders(99), ...r.headers } });
    if (req.method === 'GET' && !m[2]) {
      const limit = Number(req.query.get('limit') ?? '10');
      return withHeaders({ status: 200, body: { results: [...objects.values()].slice(0, limit) } });
    }
    if (req.method === 'POST' && m[2] === 'batch' && m[3] === 'upsert') return withHeaders(upsert(req, objects));
    if (req.method === 'POST' && m[2] === 'batch' && m[3] === 'create') return withHeaders(create(req, objects));
    if (req.method === 'PATCH' && m[2] && !m[3]) {
      const target = objects.get(m[2]);
      if (!target) return err(404, 'OBJECT_NOT_FOUND', 'resource not found');
      if (!isObject(req.body) || !isObject(req.body.properties)) return err(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
      Object.assign(target.properties, req.body.properties);
      target.updatedAt = new Date().toISOString();
      return withHeaders({ status: 200, body: target });
    }
    return err(404, 'OBJECT_NOT_FOUND', 'resource not found');
  };

  /** The inputs of a batch call, or the 400 HubSpot answers for a body that is not 1 to 100 inputs. */
  const batchInputs = (req: SimRequest): unknown[] | SimReply => {
    if (req.bodyError || !isObject(req.body) || !Array.isArray(req.body.inputs))
      return err(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
    const inputs = req.body.inputs as unknown[];
    if (inputs.length < 1 || inputs.length > 100)
      return err(400, 'VALIDATION_ERROR', `Batch size must be between 1 and 100, got ${inputs.length}`);
    return inputs;
  };

  const create = (req: SimRequest, objects: Map<string, HubSpotObject>): SimReply => {
    const inputs = batchInputs(req);
    if (!Array.isArray(inputs)) return inputs;
    const startedAt = new Date().toISOString();
    for (const input of inputs) {
      if (!isObject(input) || !isObject(input.properties) || Object.keys(input).some((k) => !CREATE_KEYS.has(k)))
        return err(400, 'VALIDATION_ERROR', 'Invalid input JSON: each input takes properties, associations and objectWriteTraceId');
      if (!Object.values(input.properties).every((v) => typeof v === 'string'))
        return err(400, 'VALIDATION_ERROR', 'Property values must be strings');
      for (const prop of unique) {
        const value = input.properties[prop];
        if (typeof value !== 'string' || value === '') continue;
        const existing = [...objects.values()].find((o) => o.properties[prop]?.toLowerCase() === value.toLowerCase());
        if (existing) return err(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
      }
    }
    const results = inputs.map((input) => {
      const { properties, objectWriteTraceId } = input as { properties: Record<string, string>; objectWriteTraceId?: string };
      const now = new Date().toISOString();
      const created: HubSpotObject = { id: String(++seq), properties: { ...properties }, createdAt: now, updatedAt: now, archived: false };
      objects.set(created.id, created);
      return { ...created, properties: { ...created.properties }, ...(objectWriteTraceId !== undefined ? { objectWriteTraceId } : {}) };
    });
    return { status: 201, body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() } };
  };

  const upsert = (req: SimRequest, objects: Map<string, HubSpotObject>): SimReply => {
    const inputs = batchInputs(req);
    if (!Array.isArray(inputs)) return inputs;
    const startedAt = new Date().toISOString();
    const results: (HubSpotObject & { new: boolean })[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of inputs) {
      if (!isObject(input) || typeof input.id !== 'string' || typeof input.idProperty !== 'string' || !isObject(input.properties)) {
        return err(400, 'VALIDATION_ERROR', 'Invalid input JSON: each input needs idProperty, id and properties');
      }
      if (!unique.includes(input.idProperty)) return err(400, 'VALIDATION_ERROR', `${input.idProperty} is not a unique property`);
      const props = input.properties;
      if (!Object.values(props).every((v) => typeof v === 'string')) return err(400, 'VALIDATION_ERROR', 'Property values must be strings');
      const id = input.id;
      if (input.idProperty === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(id)) {
        const e = {
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: `Property values were not valid: email "${id}" is invalid`,
          context: { ids: [id] },
        };
        if (opts.invalidInputs === '400') return err(400, 'VALIDATION_ERROR', e.message);
        errors.push(e);
        continue;
      }
      const now = new Date().toISOString();
      const existing = [...objects.values()].find((o) => o.properties[input.idProperty as string]?.toLowerCase() === id.toLowerCase());
      if (existing) {
        Object.assign(existing.properties, props);
        existing.updatedAt = now;
        results.push({ ...existing, properties: { ...existing.properties }, new: false });
      } else {
        const created: HubSpotObject = {
          id: String(++seq),
          properties: { ...(props as Record<string, string>), [input.idProperty]: id.toLowerCase() },
          createdAt: now,
          updatedAt: now,
          archived: false,
        };
        objects.set(created.id, created);
        results.push({ ...created, properties: { ...created.properties }, new: true });
      }
    }
    const completedAt = new Date().toISOString();
    if (errors.length)
      return { status: 207, body: { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt } };
    return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
  };

  const sim = await startHttpSim<HubSpotSimMode>(handle, modes);
  const baseReset = sim.reset;
  return Object.assign(sim, {
    token,
    objects: (type = 'contacts') => [...(store.get(type)?.values() ?? [])],
    accountDetailsReads: () => detailsReads,
    reset() {
      baseReset();
      for (const s of store.values()) s.clear();
    },
  });
}
