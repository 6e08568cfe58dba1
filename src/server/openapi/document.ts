/**
 * The OpenAPI 3.1 document of the HTTP service (`GET /openapi.json`, browsable at `/docs`).
 *
 * Built in code, once per server, from the schemas that validate: each capability's request
 * (input side) and result (output side) zod schemas, the response views of ./schemas.ts, and
 * the error statuses of ../error-reply.ts. One path per route of src/server/routes/; the
 * capability routes are spelled out per capability so a generated client gets a typed call for
 * each. test/server/openapi.test.ts checks that every registered route is here and that a real
 * answer of each validates against it.
 */
import { z } from 'zod';
import { CAPABILITIES, CAPABILITY_NAMES } from '../../capabilities/index.js';
import { DELIVERY_STATES } from '../../delivery/outbox.js';
import { SUPPRESSION_REASONS } from '../../store/mail-data.js';
import { manualSuppression, RESPONSE_SCHEMAS } from './schemas.js';

type Json = Record<string, unknown>;

const ERROR_STATUSES: Record<number, string> = {
  400: 'Invalid request: `error.problems` lists every field with its path and reason',
  401: 'Missing or unknown API key (HTTP_UNAUTHORIZED)',
  403: 'The route needs an admin key (HTTP_FORBIDDEN)',
  404: 'Not found: unknown capability, provider, delivery, job or route',
  409: 'A request with the same Idempotency-Key is still in flight (GW_IDEMPOTENCY_IN_FLIGHT): retry later',
  413: 'The body is larger than server.bodyLimitBytes (HTTP_PAYLOAD_TOO_LARGE)',
  415: 'Unsupported Content-Type (HTTP_UNSUPPORTED_MEDIA_TYPE)',
  422: 'The Idempotency-Key was used before with a different request (GW_IDEMPOTENCY_MISMATCH), or the provider rejected the request',
  429: 'Rate limited: by this service (HTTP_RATE_LIMITED) or by every provider (GW_PROVIDER_RATE_LIMITED); wait Retry-After',
  500: 'Internal error (GW_INTERNAL): the server log has the request id',
  501: 'Not available with this store (jobs need a durable store)',
  502: 'The provider failed (transient, auth, misconfigured) or the outcome is unknown (GW_UNKNOWN_OUTCOME: not retried elsewhere)',
  503: 'No usable provider or every provider failed (GW_NO_USABLE_PROVIDER, GW_ALL_PROVIDERS_FAILED); `recommendations` says what to change',
  504: 'The deadline passed (GW_DEADLINE_EXCEEDED, GW_PROVIDER_TIMEOUT)',
};

const RETRY_AFTER = { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } };

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** A zod schema as a JSON Schema of the document (no `$schema`: the document's dialect applies). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const pascal = (name: string): string => name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

const json = (schema: Json, description: string, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});
const text = (type: string, description: string): Json => ({ description, content: { [type]: { schema: { type: 'string' } } } });
const errors = (...statuses: number[]): Json =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));

const pathParam = (name: string, description: string, schema: Json = { type: 'string', maxLength: 100 }): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const query = (name: string, schema: Json, description: string): Json => ({ name, in: 'query', required: false, description, schema });
const limit = (max: number, dflt: number): Json =>
  query('limit', { type: 'integer', minimum: 1, maximum: max, default: dflt }, 'Page size');

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes a retry safe: the same key with the same request answers with the first outcome, never a second send',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};
const PREFER = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description: '`respond-async`: answer 202 at once and deliver from the durable outbox (follow Location)',
  schema: { type: 'string', examples: ['respond-async'] },
};
const PUBLIC = { security: [] };

function capabilityPaths(): Json {
  const paths: Json = {};
  for (const name of CAPABILITY_NAMES) {
    const capability = CAPABILITIES[name];
    const type = pascal(name);
    paths[`/v1/capabilities/${name}`] = {
      get: {
        tags: ['Capabilities'],
        operationId: `describe${type}`,
        summary: `${capability.description}: chain status and request schema`,
        responses: { '200': json(ref('ChainStatus'), 'The chain of providers and the request JSON Schema'), ...errors(401, 404) },
      },
      post: {
        tags: ['Capabilities'],
        operationId: `invoke${type}`,
        summary: capability.description,
        description:
          'Runs the capability through its provider chain (failover, no duplicate sends). 200 with the result, or 202 when ' +
          '`Prefer: respond-async` is sent (poll `Location`). A 503 carries the active recommendations.',
        parameters: [IDEMPOTENCY_KEY, PREFER],
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${type}Request`), example: capability.example } } },
        responses: {
          '200': json(ref(`${type}Completed`), 'Done: the result and the provider that served it', {
            'Idempotency-Key': { description: 'The key of this request (generated when none was sent)', schema: { type: 'string' } },
            'Idempotent-Replayed': {
              description: '`true` when this is the stored answer of an earlier request',
              schema: { type: 'string' },
            },
          }),
          '202': json(ref('Accepted'), 'Accepted into the durable outbox', {
            Location: { description: 'GET this path for the outcome', schema: { type: 'string' } },
          }),
          ...errors(400, 401, 404, 409, 413, 415, 422, 429, 502, 503, 504),
        },
      },
    };
  }
  return paths;
}

function capabilitySchemas(): Json {
  const schemas: Json = {};
  for (const name of CAPABILITY_NAMES) {
    const capability = CAPABILITIES[name];
    const type = pascal(name);
    schemas[`${type}Request`] = jsonSchema(capability.request, 'input');
    schemas[`${type}Result`] = jsonSchema(capability.result, 'output');
    schemas[`${type}Completed`] = {
      type: 'object',
      required: ['result', 'provider', 'attempts', 'idempotencyKey', 'latencyMs', 'replayed'],
      properties: {
        result: ref(`${type}Result`),
        provider: { type: 'string', description: 'The provider that served the request' },
        attempts: { type: 'array', items: ref('Attempt'), description: 'Each provider tried, in order, and its outcome' },
        idempotencyKey: { type: 'string' },
        latencyMs: { type: 'number' },
        replayed: { type: 'boolean' },
      },
    };
  }
  return schemas;
}

const JOB_BODY: Json = {
  type: 'object',
  additionalProperties: false,
  required: ['capability', 'items'],
  properties: {
    capability: { type: 'string', enum: [...CAPABILITY_NAMES] },
    items: { type: 'array', description: 'Requests of the capability (each as POST /v1/capabilities/{capability} takes it)', items: {} },
    spread: { type: 'boolean', description: 'Drain the job through every usable provider at once, each at its own pace (default true)' },
  },
};

const jobId = pathParam('id', 'The job id');
const jobAnswer = json({ type: 'object', required: ['job'], properties: { job: ref('Job') } }, 'The job');

function jobPaths(): Json {
  const control = (action: string, summary: string): Json => ({
    post: {
      tags: ['Jobs'],
      operationId: `${action}Job`,
      summary,
      parameters: [jobId],
      responses: { '200': jobAnswer, ...errors(401, 404, 501) },
    },
  });
  return {
    '/v1/jobs': {
      post: {
        tags: ['Jobs'],
        operationId: 'submitJob',
        summary: 'Submit a bulk job (JSON, or NDJSON one item a line with ?capability=)',
        parameters: [
          IDEMPOTENCY_KEY,
          query('capability', { type: 'string' }, 'NDJSON bodies: the capability of every item'),
          query('spread', { type: 'boolean' }, 'NDJSON bodies: spread over the chain'),
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: JOB_BODY },
            'application/x-ndjson': { schema: { type: 'string', description: 'One request of the capability per line' } },
          },
        },
        responses: {
          '202': json(
            { type: 'object', required: ['job', 'replayed'], properties: { job: ref('Job'), replayed: { type: 'boolean' } } },
            'Every item is stored',
            { Location: { description: 'The job', schema: { type: 'string' } } },
          ),
          ...errors(400, 401, 413, 415, 501),
        },
      },
      get: {
        tags: ['Jobs'],
        operationId: 'listJobs',
        summary: 'Newest jobs first',
        parameters: [limit(1000, 50)],
        responses: {
          '200': json({ type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: ref('Job') } } }, 'Jobs'),
          ...errors(401, 501),
        },
      },
    },
    '/v1/jobs/{id}': {
      get: {
        tags: ['Jobs'],
        operationId: 'getJob',
        summary: 'A job: counts, rate, ETA',
        parameters: [jobId],
        responses: { '200': jobAnswer, ...errors(401, 404, 501) },
      },
    },
    '/v1/jobs/{id}/results': {
      get: {
        tags: ['Jobs'],
        operationId: 'getJobResults',
        summary: 'Each item outcome, one JSON object a line',
        parameters: [
          jobId,
          query('failures', { type: 'boolean' }, 'Only the items that did not succeed'),
          query('from', { type: 'integer', minimum: 0 }, 'Start at this item position'),
        ],
        responses: { '200': text('application/x-ndjson', 'NDJSON results'), ...errors(401, 404, 501) },
      },
    },
    '/v1/jobs/{id}/pause': control('pause', 'Pause a job'),
    '/v1/jobs/{id}/resume': control('resume', 'Resume a paused job'),
    '/v1/jobs/{id}/cancel': control('cancel', 'Cancel the items not yet delivered'),
  };
}

const address = pathParam('address', 'An email address', { type: 'string', format: 'email' });
const suppressionAnswer = json(
  { type: 'object', required: ['suppression'], properties: { suppression: ref('Suppression'), created: { type: 'boolean' } } },
  'The suppression entry',
);

function mailPaths(): Json {
  return {
    '/v1/events/{name}': {
      post: {
        ...PUBLIC,
        tags: ['Deliverability'],
        operationId: 'receiveMailEvents',
        summary: "An ESP's event webhook, verified by the named receiver's signature",
        parameters: [pathParam('name', 'The receiver name (deliverability.receivers[].name)')],
        requestBody: { required: true, content: { '*/*': { schema: {} } } },
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['received', 'applied', 'duplicates', 'suppressed'],
              properties: {
                received: { type: 'integer' },
                applied: { type: 'integer' },
                duplicates: { type: 'integer' },
                suppressed: { type: 'integer' },
                note: { type: 'string' },
              },
            },
            'Events applied',
          ),
          ...errors(400, 401, 404, 413),
        },
      },
    },
    '/v1/deliverability': {
      get: {
        tags: ['Deliverability'],
        operationId: 'getDeliverability',
        summary: 'Sends, bounces, complaints and rates per provider over the window, hourly counts',
        responses: { '200': json(ref('Deliverability'), 'The deliverability report'), ...errors(401) },
      },
    },
    '/v1/suppressions': {
      get: {
        tags: ['Deliverability'],
        operationId: 'listSuppressions',
        summary: 'The suppression list, in address order',
        parameters: [
          query('reason', { type: 'string', enum: [...SUPPRESSION_REASONS] }, 'Only this reason'),
          query('after', { type: 'string' }, 'Start after this address (the `next` of the previous page)'),
          limit(1000, 100),
        ],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['suppressions', 'total'],
              properties: {
                suppressions: { type: 'array', items: ref('Suppression') },
                total: { type: 'integer' },
                next: { type: 'string' },
              },
            },
            'One page',
          ),
          ...errors(400, 401),
        },
      },
    },
    '/v1/suppressions/export': {
      get: {
        tags: ['Deliverability'],
        operationId: 'exportSuppressions',
        summary: 'The whole list as CSV',
        responses: { '200': text('text/csv', 'address,reason,source,at,detail'), ...errors(401) },
      },
    },
    '/v1/suppressions/import': {
      post: {
        tags: ['Deliverability'],
        operationId: 'importSuppressions',
        summary: 'Add a CSV of addresses (all rows or none)',
        requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['imported', 'added', 'updated'],
              properties: { imported: { type: 'integer' }, added: { type: 'integer' }, updated: { type: 'integer' } },
            },
            'Imported',
          ),
          ...errors(400, 401, 413, 415),
        },
      },
    },
    '/v1/suppressions/{address}': {
      get: {
        tags: ['Deliverability'],
        operationId: 'getSuppression',
        summary: 'Whether an address is suppressed, and why',
        parameters: [address],
        responses: { '200': suppressionAnswer, ...errors(400, 401, 404) },
      },
      put: {
        tags: ['Deliverability'],
        operationId: 'suppress',
        summary: 'Suppress an address by hand',
        parameters: [address],
        requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(manualSuppression, 'input') } } },
        responses: { '200': suppressionAnswer, '201': suppressionAnswer, ...errors(400, 401) },
      },
      delete: {
        tags: ['Deliverability'],
        operationId: 'unsuppress',
        summary: 'Remove an address from the list',
        parameters: [address],
        responses: {
          '200': json({ type: 'object', required: ['removed'], properties: { removed: { const: true } } }, 'Removed'),
          ...errors(400, 401, 404),
        },
      },
    },
    '/v1/unsubscribe/{token}': {
      get: {
        ...PUBLIC,
        tags: ['Deliverability'],
        operationId: 'unsubscribePage',
        summary: 'The page of a one-click unsubscribe link (a GET never unsubscribes)',
        parameters: [pathParam('token', 'The signed token of the link', { type: 'string' })],
        responses: { '200': text('text/html', 'A page with an Unsubscribe button'), '400': text('text/html', 'Invalid or expired link') },
      },
      post: {
        ...PUBLIC,
        tags: ['Deliverability'],
        operationId: 'unsubscribe',
        summary: 'One-click unsubscribe (RFC 8058): the body is List-Unsubscribe=One-Click',
        parameters: [pathParam('token', 'The signed token of the link', { type: 'string' })],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: { type: 'object', required: ['List-Unsubscribe'], properties: { 'List-Unsubscribe': { const: 'One-Click' } } },
            },
          },
        },
        responses: {
          '200': json({ type: 'object', required: ['unsubscribed'], properties: { unsubscribed: { const: true } } }, 'Unsubscribed'),
          ...errors(400, 404),
        },
      },
    },
  };
}

function deliveryPaths(): Json {
  const one = json({ type: 'object', required: ['delivery'], properties: { delivery: ref('Delivery') } }, 'The delivery');
  return {
    '/v1/deliveries': {
      get: {
        tags: ['Deliveries'],
        operationId: 'listDeliveries',
        summary: 'Outbox deliveries, newest first, with counts per state',
        parameters: [
          query('state', { type: 'string', enum: [...DELIVERY_STATES] }, 'Only this state'),
          query('capability', { type: 'string' }, 'Only this capability'),
          limit(1000, 100),
        ],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['deliveries', 'counts'],
              properties: {
                deliveries: { type: 'array', items: ref('Delivery') },
                counts: { type: 'object', additionalProperties: { type: 'integer' } },
              },
            },
            'Deliveries',
          ),
          ...errors(400, 401),
        },
      },
    },
    '/v1/deliveries/{id}': {
      get: {
        tags: ['Deliveries'],
        operationId: 'getDelivery',
        summary: 'One delivery (the Location of a 202): state, attempts, result once delivered',
        parameters: [pathParam('id', 'The delivery id')],
        responses: { '200': one, ...errors(401, 404) },
      },
    },
    '/v1/idempotency/{key}': {
      get: {
        tags: ['Deliveries'],
        operationId: 'getIdempotencyKey',
        summary: 'What the ledger holds for an idempotency key',
        parameters: [pathParam('key', 'The Idempotency-Key', { type: 'string', maxLength: 255 })],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['entry'],
              properties: { entry: ref('LedgerEntry'), delivery: ref('Delivery'), events: { type: 'array', items: ref('MailEvent') } },
            },
            'The ledger entry',
          ),
          ...errors(401, 404),
        },
      },
    },
  };
}

function operatorPaths(): Json {
  const adminAction = (segment: string, action: string, summary: string): Json => ({
    post: {
      tags: ['Operations'],
      operationId: `${action}Provider`,
      summary,
      description: 'Needs an admin key (server.adminKeys); recorded in the event history.',
      parameters: [pathParam('name', 'The provider name')],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['action', 'actor', 'provider'],
            properties: {
              action: { const: segment === 'force-closed' ? 'force_closed' : segment },
              actor: { type: 'string' },
              provider: ref('ProviderStatus'),
            },
          },
          'The provider after the action',
        ),
        ...errors(401, 403, 404),
      },
    },
  });
  return {
    '/v1/capabilities': {
      get: {
        tags: ['Capabilities'],
        operationId: 'listCapabilities',
        summary: 'The configured capabilities and their providers',
        responses: {
          '200': json(
            { type: 'object', required: ['capabilities'], properties: { capabilities: { type: 'array', items: { type: 'object' } } } },
            'Capabilities',
          ),
          ...errors(401),
        },
      },
    },
    '/v1/status': {
      get: {
        tags: ['Operations'],
        operationId: 'getStatus',
        summary: 'Health of every provider, recommendations, outbox backlog, alert channels',
        responses: { '200': json(ref('Status'), 'The status report'), ...errors(401) },
      },
    },
    '/v1/recommendations': {
      get: {
        tags: ['Operations'],
        operationId: 'listRecommendations',
        summary: 'What the operator should change',
        parameters: [
          query('severity', { type: 'string', enum: ['critical', 'warning', 'info'] }, 'Only this severity'),
          query('capability', { type: 'string', maxLength: 100 }, 'Only this capability'),
          query('provider', { type: 'string', maxLength: 100 }, 'Only this provider'),
          query('includeResolved', { type: 'boolean' }, 'Also the resolved ones'),
        ],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['recommendations'],
              properties: { recommendations: { type: 'array', items: ref('Recommendation') } },
            },
            'Recommendations',
          ),
          ...errors(400, 401),
        },
      },
    },
    '/v1/checks': {
      get: {
        tags: ['Operations'],
        operationId: 'listChecks',
        summary: 'Health-check history, newest first',
        parameters: [
          query('provider', { type: 'string', maxLength: 100 }, 'Only this provider'),
          query('capability', { type: 'string', maxLength: 100 }, 'Only this capability'),
          limit(1000, 50),
        ],
        responses: {
          '200': json(
            { type: 'object', required: ['checks'], properties: { checks: { type: 'array', items: ref('HealthCheck') } } },
            'Checks',
          ),
          ...errors(400, 401),
        },
      },
    },
    '/v1/history': {
      get: {
        tags: ['Operations'],
        operationId: 'getHistory',
        summary: 'The last hour per minute: calls, failures and p95 per provider, failovers per capability, outbox backlog',
        responses: { '200': json(ref('History'), 'The last hour (kept in memory: a restart starts an empty hour)'), ...errors(401) },
      },
    },
    '/v1/self-check': {
      post: {
        tags: ['Operations'],
        operationId: 'runSelfCheck',
        summary: 'Probe every provider now',
        responses: { '200': json(ref('SelfCheck'), 'The results of the probes'), ...errors(401) },
      },
    },
    '/v1/whoami': {
      get: {
        ...PUBLIC,
        tags: ['Operations'],
        operationId: 'whoami',
        summary: 'Whether the presented key works, and whether it is an admin key',
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['authenticated', 'name', 'admin', 'authRequired'],
              properties: {
                authenticated: { type: 'boolean' },
                name: { type: ['string', 'null'] },
                admin: { type: 'boolean' },
                authRequired: { type: 'boolean' },
              },
            },
            'The caller',
          ),
        },
      },
    },
    '/v1/providers/{name}/isolate': adminAction('isolate', 'isolate', 'Take a provider out of its chain until reset'),
    '/v1/providers/{name}/reset': adminAction('reset', 'reset', 'Clear health, breaker and cool-down'),
    '/v1/providers/{name}/force-closed': adminAction('force-closed', 'forceClose', 'Keep the breaker closed whatever the provider answers'),
    '/healthz': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'liveness',
        summary: 'The process serves (never depends on providers)',
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['status', 'uptimeSeconds'],
              properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'integer' } },
            },
            'Alive',
          ),
        },
      },
    },
    '/readyz': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'readiness',
        summary: 'Every required capability has a usable provider',
        responses: Object.fromEntries(
          ['200', '503'].map((status) => [
            status,
            json(
              {
                type: 'object',
                required: ['ready', 'down'],
                properties: { ready: { type: 'boolean' }, down: { type: 'array', items: { type: 'string' } } },
              },
              status === '200' ? 'Ready' : 'A required capability has no usable provider',
            ),
          ]),
        ),
      },
    },
    '/metrics': {
      get: {
        tags: ['Service'],
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        responses: { '200': text('text/plain', 'The Prometheus text exposition'), ...errors(401) },
      },
    },
    '/openapi.json': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': json({ type: 'object' }, 'The OpenAPI 3.1 document') },
      },
    },
    '/': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'dashboard',
        summary: 'The live dashboard',
        responses: { '200': text('text/html', 'Page') },
      },
    },
    '/dashboard/app.js': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'dashboardScript',
        summary: 'Dashboard script',
        responses: { '200': text('text/javascript', 'Script') },
      },
    },
    '/dashboard/app.css': {
      get: {
        ...PUBLIC,
        tags: ['Service'],
        operationId: 'dashboardStyle',
        summary: 'Dashboard style',
        responses: { '200': text('text/css', 'Style') },
      },
    },
  };
}

export interface OpenApiOptions {
  version: string;
  /** Leave the dashboard's paths out (server.dashboard: false). */
  dashboard?: boolean;
}

export function openApiDocument(opts: OpenApiOptions): Json {
  const paths: Json = { ...operatorPaths(), ...capabilityPaths(), ...jobPaths(), ...deliveryPaths(), ...mailPaths() };
  if (opts.dashboard === false) for (const p of ['/', '/dashboard/app.js', '/dashboard/app.css']) delete paths[p];
  const responseSchemas = Object.fromEntries(
    Object.entries(RESPONSE_SCHEMAS).map(([name, schema]) => [name, jsonSchema(schema, 'output')]),
  );
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_STATUSES).map(([status, description]) => [
      `E${status}`,
      json(ref('Error'), description, status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER } : undefined),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'AICMO Gateway',
      version: opts.version,
      description:
        'Multi-provider, self-healing integration gateway for marketing operations. Send `Authorization: Bearer <key>` ' +
        'when server.apiKeys are configured. Errors are `{ "error": { "code", "kind", "message", ... } }`; docs/errors.md lists every code.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: ['Capabilities', 'Jobs', 'Deliveries', 'Deliverability', 'Operations', 'Service'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'One of server.apiKeys (or server.adminKeys)' } },
      schemas: { ...responseSchemas, ...capabilitySchemas() },
      responses: errorResponses,
    },
  };
}
