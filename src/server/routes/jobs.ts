/**
 * Jobs (src/delivery/jobs.ts): `POST /v1/jobs` takes a JSON body `{ capability, items, spread? }`
 * or an NDJSON stream (`Content-Type: application/x-ndjson`, `?capability=&spread=`, one item
 * a line) that is read line by line into the store, never whole; the answer is `202` once every
 * item is stored, `Location: /v1/jobs/:id`. An `Idempotency-Key` header names the job: sent again,
 * it answers with the first job (`Idempotent-Replayed: true`) and stores nothing.
 * `GET /v1/jobs`, `GET /v1/jobs/:id` (counts, rate, ETA, providers), `GET /v1/jobs/:id/results`
 * (NDJSON, `?failures=true` for the items that did not succeed), and
 * `POST /v1/jobs/:id/pause|resume|cancel`. One job is one request for the per-key rate limit.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { GatewayError } from '../../core/errors.js';
import type { JobService } from '../../delivery/job-service.js';
import type { JobRecord } from '../../delivery/jobs.js';
import { HttpError } from '../http-error.js';
import { forbiddenKeyPath } from '../json-body.js';
import type { RouteModule } from './route-module.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const NDJSON = 'application/x-ndjson';
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'] } as const;

/** A job as the API shows it (times as ISO strings). */
function jobView(j: JobRecord): Record<string, unknown> {
  const { createdAt, updatedAt, ...rest } = j;
  return { ...rest, createdAt: new Date(createdAt).toISOString(), updatedAt: new Date(updatedAt).toISOString() };
}

function invalid(path: string, message: string): GatewayError {
  return new GatewayError('GW_INVALID_REQUEST', `Invalid job: ${path}: ${message}`, { details: { problems: [{ path, message }] } });
}

/** The lines of an NDJSON stream as parsed items (blank lines skipped); a line longer than `maxLine` bytes is refused. */
async function* ndjsonItems(stream: AsyncIterable<Buffer | string>, maxLine: number): AsyncGenerator<unknown> {
  let rest = '';
  let line = 0;
  const parse = (text: string): unknown => {
    line++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalid(`line ${line}`, 'not valid JSON');
    }
    const forbidden = forbiddenKeyPath(value, `line ${line}`);
    if (forbidden) throw invalid(forbidden, 'forbidden key (__proto__ or constructor.prototype)');
    return value;
  };
  // A chunk may end inside a multi-byte character: the decoder keeps its first bytes for the next one.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const text = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (text !== '') yield parse(text);
      else line++;
    }
    if (rest.length > maxLine) throw invalid(`line ${line + 1}`, `longer than server.bodyLimitBytes (${maxLine} bytes)`);
  }
  rest += decoder.end();
  if (rest.trim() !== '') yield parse(rest.trim());
}

function booleanParam(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(path, 'must be true or false');
}

function idempotencyKey(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header))
    throw invalid('headers.idempotency-key', 'one value of 1-255 visible ASCII characters');
  return header;
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({
    error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: `Job ${id} is not known`, details: { reason: 'not_found' } },
  });
}

function registerJobRoutes(app: FastifyInstance, getJobs: () => JobService | undefined, bodyLimit: number): void {
  const jobs = (): JobService => {
    const service = getJobs();
    if (!service)
      throw new HttpError(
        'HTTP_NOT_IMPLEMENTED',
        'Jobs need a durable store (store: sqlite:<path> or redis://...); the memory store has none',
      );
    return service;
  };
  // The NDJSON body is handed over as the raw stream; only this scope accepts it.
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));

  app.post<{ Querystring: { capability?: string; spread?: string } }>('/v1/jobs', { bodyLimit: bodyLimit * 64 }, async (request, reply) => {
    const service = jobs();
    const key = idempotencyKey(request.headers['idempotency-key']);
    const streamed = (request.headers['content-type'] ?? '').startsWith(NDJSON);
    let capability: unknown;
    let spread: boolean | undefined;
    let items: Iterable<unknown> | AsyncIterable<unknown>;
    if (streamed) {
      capability = request.query.capability;
      spread = booleanParam(request.query.spread, 'querystring.spread');
      items = ndjsonItems(request.body as Readable, bodyLimit);
    } else {
      const body = request.body as Record<string, unknown> | null;
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw invalid('(body)', 'must be an object { capability, items }');
      const unknown = Object.keys(body).find((k) => !['capability', 'items', 'spread'].includes(k));
      if (unknown) throw invalid(unknown, 'unknown field (allowed: capability, items, spread)');
      if (!Array.isArray(body.items)) throw invalid('items', 'must be an array of requests');
      capability = body.capability;
      spread = booleanParam(body.spread, 'spread');
      items = body.items as unknown[];
    }
    const where = streamed ? 'querystring.capability' : 'capability';
    if (typeof capability !== 'string' || capability === '') throw invalid(where, 'required: the capability of every item');
    const { job, created } = await service.submit(capability, items, {
      ...(key === undefined ? {} : { key }),
      ...(spread === undefined ? {} : { spread }),
    });
    if (!created) reply.header('idempotent-replayed', 'true');
    return reply
      .code(202)
      .header('location', `/v1/jobs/${job.id}`)
      .send({ job: jobView(job), replayed: !created });
  });

  app.get<{ Querystring: { limit?: string } }>('/v1/jobs', async (request) => {
    const limit = Math.min(1_000, Math.max(1, Number.parseInt(request.query.limit ?? '50', 10) || 50));
    return { jobs: (await jobs().list(limit)).map(jobView) };
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', { schema: { params: idParams } }, async (request, reply) => {
    const job = await jobs().get(request.params.id);
    return job ? { job: jobView(job) } : notFound(reply, request.params.id);
  });

  app.get<{ Params: { id: string }; Querystring: { failures?: string; from?: string } }>(
    '/v1/jobs/:id/results',
    { schema: { params: idParams } },
    async (request, reply) => {
      const service = jobs();
      if (!(await service.get(request.params.id))) return notFound(reply, request.params.id);
      const failures = booleanParam(request.query.failures, 'querystring.failures') === true;
      const from = Math.max(0, Number.parseInt(request.query.from ?? '0', 10) || 0);
      const lines = service.results(request.params.id, { failures, fromPosition: from });
      const body = Readable.from(
        (async function* () {
          for await (const line of lines) yield `${JSON.stringify(line)}\n`;
        })(),
      );
      return reply.type(NDJSON).send(body);
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(`/v1/jobs/:id/${action}`, { schema: { params: idParams } }, async (request, reply) => {
      const job = await jobs().control(request.params.id, action);
      return job ? { job: jobView(job) } : notFound(reply, request.params.id);
    });
  }
}

export const jobRoutes: RouteModule = (app, runtime) =>
  void app.register(async (scope) => registerJobRoutes(scope, () => runtime.gateway.jobs, runtime.gateway.config.server.bodyLimitBytes));
