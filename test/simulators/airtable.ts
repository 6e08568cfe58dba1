/**
 * Airtable Web API simulator (shared/providers.md §3): whoami, list, create (POST) and upsert
 * (PATCH with performUpsert) on in-memory tables, with the documented error bodies.
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

export interface AirtableSimOptions {
  token?: string;
  baseId?: string;
  tables?: string[];
  /** When set, fields outside this list are refused with 422 UNKNOWN_FIELD_NAME. */
  fieldNames?: string[];
  /** Scopes reported by whoami (as for OAuth tokens); omitted by default, as for PATs. */
  scopes?: string[];
}

interface AirtableRecord {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

type AirtableSimMode = 'auth' | 'forbidden' | 'not_found' | 'validation' | 'too_large' | 'rate_limit' | 'server_error' | 'error_200';

export interface AirtableSim extends HttpSim<AirtableSimMode> {
  readonly token: string;
  readonly baseId: string;
  records(table: string): AirtableRecord[];
}

const err = (status: number, type: string, message: string): SimReply => ({ status, body: { error: { type, message } } });
const AUTH = err(401, 'AUTHENTICATION_REQUIRED', 'Authentication required');

const modes: Record<AirtableSimMode, (o: FailOptions) => { reply: SimReply }> = {
  auth: () => ({ reply: AUTH }),
  forbidden: () => ({
    reply: err(
      403,
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
      'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.',
    ),
  }),
  not_found: () => ({ reply: { status: 404, body: { error: 'NOT_FOUND' } } }),
  validation: () => ({ reply: err(422, 'INVALID_VALUE_FOR_COLUMN', 'Field "Email" cannot accept the provided value') }),
  too_large: () => ({ reply: err(413, 'REQUEST_TOO_LARGE', 'Request body is too large') }),
  rate_limit: (o) => ({
    reply: {
      status: 429,
      headers: retryAfterHeaders(o.retryAfter),
      body: { errors: [{ error: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' }] },
    },
  }),
  server_error: (o) => ({ reply: err(typeof o.status === 'number' ? o.status : 503, 'SERVER_ERROR', 'Service unavailable') }),
  error_200: () => ({
    reply: { status: 200, body: { error: { type: 'SERVER_ERROR', message: 'Try again. If the problem persists, contact support.' } } },
  }),
};

/** The top-level keys of a create (POST) and of an update/upsert (PATCH) body. */
const CREATE_KEYS = new Set(['records', 'typecast', 'returnFieldsByFieldId']);
const UPSERT_KEYS = new Set([...CREATE_KEYS, 'performUpsert']);

export async function start(opts: AirtableSimOptions = {}): Promise<AirtableSim> {
  const token = opts.token ?? 'patSIM0000000000.airtable-secret-token';
  const baseId = opts.baseId ?? 'appSIMbase000001';
  const tables = new Map<string, AirtableRecord[]>((opts.tables ?? ['Contacts']).map((t) => [t, []]));
  let seq = 0;

  const handle = (req: SimRequest): SimReply => {
    if (header(req, 'authorization') !== `Bearer ${token}`) return AUTH;
    if (req.method === 'GET' && req.path === '/v0/meta/whoami') {
      return { status: 200, body: { id: 'usrSIMuser000001', ...(opts.scopes ? { scopes: opts.scopes } : {}) } };
    }
    const m = /^\/v0\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (!m) return { status: 404, body: { error: 'NOT_FOUND' } };
    if (decodeURIComponent(m[1]!) !== baseId) return modes.forbidden({}).reply;
    const tableName = decodeURIComponent(m[2]!);
    const table = tables.get(tableName);
    if (!table) return err(404, 'TABLE_NOT_FOUND', `Could not find table ${tableName} in application ${baseId}`);
    if (req.method === 'GET') return { status: 200, body: { records: table } };
    if (req.method !== 'PATCH' && req.method !== 'POST') return { status: 404, body: { error: 'NOT_FOUND' } };
    const bad = checkWrite(req);
    if (bad) return bad;
    return req.method === 'POST' ? create(req.body as { records: unknown[] }, table) : upsert(req.body as Record<string, unknown>, table);
  };

  /** What both writes refuse: a body that is not JSON, more than 10 records, a record without fields or with unknown fields. */
  const checkWrite = (req: SimRequest): SimReply | undefined => {
    if (req.bodyError || !isObject(req.body))
      return err(400, 'INVALID_REQUEST_UNKNOWN', 'Invalid request: parameter validation failed. Check your request data.');
    if (!String(header(req, 'content-type')).startsWith('application/json'))
      return err(415, 'INVALID_CONTENT_TYPE', 'Content-Type must be application/json');
    const { records } = req.body;
    if (!Array.isArray(records) || records.length < 1 || records.length > 10) {
      return err(422, 'INVALID_RECORDS', 'You must provide an array of up to 10 record objects, each with an "id" or "fields" key.');
    }
    for (const r of records) {
      if (!isObject(r) || !isObject(r.fields)) return err(422, 'INVALID_REQUEST_BODY', 'Invalid request: each record needs "fields"');
      const unknown = opts.fieldNames ? Object.keys(r.fields).find((f) => !opts.fieldNames!.includes(f)) : undefined;
      if (unknown) return err(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${unknown}"`);
    }
    // Only the documented keys: performUpsert belongs to PATCH (an upsert), never to a create.
    const allowed = req.method === 'POST' ? CREATE_KEYS : UPSERT_KEYS;
    if (Object.keys(req.body).some((k) => !allowed.has(k)))
      return err(422, 'INVALID_REQUEST_UNKNOWN', 'Invalid request: parameter validation failed. Check your request data.');
    return undefined;
  };

  const newRecord = (fields: Record<string, unknown>): AirtableRecord => ({
    id: `rec${String(++seq).padStart(14, '0')}`,
    createdTime: new Date().toISOString(),
    fields: { ...fields },
  });

  const create = (body: { records: unknown[] }, table: AirtableRecord[]): SimReply => {
    const out = body.records.map((r) => newRecord((r as { fields: Record<string, unknown> }).fields));
    table.push(...out);
    return { status: 200, body: { records: out } };
  };

  const upsert = (body: Record<string, unknown>, table: AirtableRecord[]): SimReply => {
    const { records, performUpsert } = body as { records: { fields: Record<string, unknown> }[]; performUpsert?: unknown };
    const mergeOn = isObject(performUpsert) ? performUpsert.fieldsToMergeOn : undefined;
    if (!Array.isArray(mergeOn) || mergeOn.length < 1 || mergeOn.length > 3 || !mergeOn.every((f) => typeof f === 'string')) {
      return err(422, 'INVALID_REQUEST_BODY', 'Invalid request: performUpsert.fieldsToMergeOn must be 1 to 3 field names');
    }
    const plan: { target?: AirtableRecord; fields: Record<string, unknown> }[] = [];
    for (const { fields } of records) {
      const matches = table.filter((t) => mergeOn.every((f) => t.fields[f] === fields[f]));
      if (matches.length > 1) return err(422, 'INVALID_REQUEST_BODY', 'Cannot update more than one record with performUpsert');
      plan.push({ target: matches[0], fields });
    }
    const out: AirtableRecord[] = [];
    const createdRecords: string[] = [];
    const updatedRecords: string[] = [];
    for (const p of plan) {
      if (p.target) {
        Object.assign(p.target.fields, p.fields);
        updatedRecords.push(p.target.id);
        out.push(p.target);
      } else {
        const rec = newRecord(p.fields);
        table.push(rec);
        createdRecords.push(rec.id);
        out.push(rec);
      }
    }
    return { status: 200, body: { records: out, createdRecords, updatedRecords } };
  };

  const sim = await startHttpSim<AirtableSimMode>(handle, modes);
  const baseReset = sim.reset;
  return Object.assign(sim, {
    token,
    baseId,
    records: (t: string) => tables.get(t) ?? [],
    reset() {
      baseReset();
      for (const t of tables.values()) t.length = 0;
    },
  });
}
