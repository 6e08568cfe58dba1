/**
 * The OpenAPI document: it validates as OpenAPI 3.1 (by a validator of its own, not ours), every
 * route the server registers is in it, and a real answer of each route (success and error
 * statuses) validates against the schema the document gives for that status.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITIES, CAPABILITY_NAMES } from '../../src/capabilities/index.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { standardHeaders } from '../deliverability/signers.js';
import { ADMIN_KEY, API_KEY, admin, api, silent } from './helpers.js';

const SECRET = `whsec_${Buffer.from('openapi-test-secret-0123456789').toString('base64')}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string;
let gateway: Gateway;
let app: FastifyInstance;
let doc: Json;
const routes: { method: string; url: string; hidden: boolean }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  // The bundled defaults (every capability) with a durable store, keys, an event receiver and unsubscribe links.
  const bundled = loadConfig(undefined, {}, dir).config as unknown as Json;
  const { config } = validateConfig(
    {
      ...bundled,
      store: `sqlite:${join(dir, 'gw.sqlite')}`,
      logLevel: 'silent',
      server: { ...bundled.server, apiKeys: [{ name: 'app', key: API_KEY }], adminKeys: [{ name: 'ops', key: ADMIN_KEY }] },
      monitoring: { ...bundled.monitoring, intervalSeconds: 0 },
      deliverability: {
        ...bundled.deliverability,
        receivers: [{ name: 'esp', type: 'standard', secrets: [SECRET] }],
        unsubscribe: { secret: 'u'.repeat(40), baseUrl: 'https://gw.example.com' },
      },
    },
    {},
  );
  gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
  app = createServer(gateway, { logger: silent(), periodicChecks: false });
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, hidden: r.schema?.hide === true });
  });
  await app.ready();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
});

afterAll(async () => {
  await app.close();
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: its function is the default export's own default.
  (formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
  ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
  return ajv;
}

/** The document's `$ref`s resolved by ajv: each component schema registered under its pointer. */
function responseValidator() {
  const ajv = newAjv();
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const pointer = (schema: Json): Json => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')) as Json;
  return (method: string, path: string, res: LightMyRequestResponse): string[] => {
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not in the document`];
    let response = op.responses[String(res.statusCode)];
    if (!response) return [`${method} ${path}: status ${res.statusCode} is not documented`];
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
    const media = response.content?.[type];
    if (!media) return [`${method} ${path} ${res.statusCode}: content type ${type} is not documented`];
    if (type !== 'application/json') return [];
    const validate = ajv.compile(pointer(media.schema));
    if (validate(res.json())) return [];
    return (validate.errors ?? []).map((e) => `${method} ${path} ${res.statusCode}: ${e.instancePath} ${String(e.message)}`);
  };
}

/** A route's URL as the document's paths: `{param}` templates, and the capability route once per capability. */
function documentPaths(url: string): string[] {
  const templated = url.replace(/:(\w+)/g, '{$1}');
  return templated.includes('{capability}') ? CAPABILITY_NAMES.map((c) => templated.replace('{capability}', c)) : [templated];
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the server registers (the docs pages aside)', () => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Json))
      for (const method of Object.keys(item as Json)) documented.add(`${method.toUpperCase()} ${path}`);
    const missing: string[] = [];
    for (const r of routes) {
      if (r.hidden || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      for (const path of documentPaths(r.url)) if (!documented.has(`${r.method} ${path}`)) missing.push(`${r.method} ${path}`);
    }
    expect(missing).toEqual([]);
    expect(routes.filter((r) => !r.hidden).length).toBeGreaterThan(30);
    // And nothing documented that the server does not serve.
    const served = new Set(routes.flatMap((r) => documentPaths(r.url).map((p) => `${r.method} ${p}`)));
    expect([...documented].filter((d) => !served.has(d))).toEqual([]);
  });

  it("gives each capability its request and result schemas, and each capability's example validates", () => {
    const ajv = newAjv();
    for (const name of CAPABILITY_NAMES) {
      const type = name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
      const request = doc.components.schemas[`${type}Request`];
      expect(request, name).toBeDefined();
      expect(doc.components.schemas[`${type}Result`], name).toBeDefined();
      const example = doc.paths[`/v1/capabilities/${name}`].post.requestBody.content['application/json'].example;
      expect(example).toEqual(CAPABILITIES[name].example);
      expect(ajv.validate(request, example), `${name}: ${ajv.errorsText()}`).toBe(true);
      // The zod schema that validates agrees.
      expect(CAPABILITIES[name].request.safeParse(example).success, name).toBe(true);
    }
    // An invalid request fails the published schema as it fails the route.
    expect(ajv.validate(doc.components.schemas.EmailSendingRequest, { to: 'not-an-address', subject: 'x', text: 'y' })).toBe(false);
  });
});

describe('real answers validate against the document', () => {
  it('every route, with success and error statuses', async () => {
    const check = responseValidator();
    const problems: string[] = [];
    const seen = new Set<string>();
    const call = async (method: string, path: string, url: string, opts: { headers?: Json; payload?: unknown } = {}) => {
      const res = await app.inject({ method: method as 'GET', url, headers: { ...api, ...opts.headers }, payload: opts.payload as string });
      problems.push(...check(method, path, res));
      seen.add(`${method} ${path}`);
      return res;
    };

    for (const name of CAPABILITY_NAMES) {
      const path = `/v1/capabilities/${name}`;
      await call('GET', path, path);
      const done = await call('POST', path, path, { headers: { 'idempotency-key': `oa-${name}` }, payload: CAPABILITIES[name].example });
      expect([200, 502, 503], `${name}: ${done.body}`).toContain(done.statusCode);
    }
    const email = '/v1/capabilities/email_sending';
    const example = CAPABILITIES.email_sending.example;
    const async202 = await call('POST', email, email, {
      headers: { prefer: 'respond-async', 'idempotency-key': 'oa-async' },
      payload: example,
    });
    expect(async202.statusCode).toBe(202);
    expect((await call('POST', email, email, { payload: { to: 'nobody' } })).statusCode).toBe(400);
    const mismatch = await call('POST', email, email, {
      headers: { 'idempotency-key': 'oa-email_sending' },
      payload: { ...example, subject: 'Other' },
    });
    expect(mismatch.statusCode).toBe(422);
    expect((await call('GET', email, email, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).statusCode).toBe(401);

    await call('GET', '/v1/capabilities', '/v1/capabilities');
    await call('GET', '/v1/status', '/v1/status');
    await call('POST', '/v1/self-check', '/v1/self-check');
    await call('GET', '/v1/history', '/v1/history');
    await call('GET', '/v1/checks', '/v1/checks?limit=5');
    await call('GET', '/v1/recommendations', '/v1/recommendations?includeResolved=true');
    await call('GET', '/v1/whoami', '/v1/whoami');
    for (const action of ['isolate', 'reset', 'force-closed']) {
      const path = `/v1/providers/{name}/${action}`;
      expect((await call('POST', path, `/v1/providers/smtp_fallback/${action}`, { headers: admin })).statusCode).toBe(200);
    }
    expect((await call('POST', '/v1/providers/{name}/reset', '/v1/providers/smtp_fallback/reset')).statusCode).toBe(403);
    expect((await call('POST', '/v1/providers/{name}/reset', '/v1/providers/nope/reset', { headers: admin })).statusCode).toBe(404);

    const location = async202.headers.location as string;
    await call('GET', '/v1/deliveries/{id}', location);
    await call('GET', '/v1/deliveries/{id}', '/v1/deliveries/dlv_nope');
    await call('GET', '/v1/deliveries', '/v1/deliveries?limit=5');
    await call('GET', '/v1/deliveries', '/v1/deliveries?state=nope');
    await call('GET', '/v1/idempotency/{key}', '/v1/idempotency/oa-async');
    await call('GET', '/v1/idempotency/{key}', '/v1/idempotency/oa-email_sending');
    await call('GET', '/v1/idempotency/{key}', '/v1/idempotency/none');

    const job = await call('POST', '/v1/jobs', '/v1/jobs', {
      payload: { capability: 'email_verification', items: [{ email: 'a@example.com' }] },
    });
    expect(job.statusCode).toBe(202);
    const jobId = job.json().job.id as string;
    await call('POST', '/v1/jobs', '/v1/jobs', { payload: { capability: 'email_verification', items: 'x' } });
    await call('GET', '/v1/jobs', '/v1/jobs');
    await call('GET', '/v1/jobs/{id}', `/v1/jobs/${jobId}`);
    await call('GET', '/v1/jobs/{id}', '/v1/jobs/job_nope');
    await call('GET', '/v1/jobs/{id}/results', `/v1/jobs/${jobId}/results`);
    for (const action of ['pause', 'resume', 'cancel']) await call('POST', `/v1/jobs/{id}/${action}`, `/v1/jobs/${jobId}/${action}`);

    const raw = JSON.stringify({ type: 'complaint', timestamp: new Date().toISOString(), data: { address: 'c@example.com' } });
    const event = await call('POST', '/v1/events/{name}', '/v1/events/esp', {
      headers: standardHeaders(SECRET, 'evt-1', raw),
      payload: raw,
    });
    expect(event.statusCode).toBe(200);
    expect(
      (await call('POST', '/v1/events/{name}', '/v1/events/esp', { headers: { 'content-type': 'application/json' }, payload: raw }))
        .statusCode,
    ).toBeGreaterThanOrEqual(400);
    await call('POST', '/v1/events/{name}', '/v1/events/nope', { payload: raw });
    await call('GET', '/v1/deliverability', '/v1/deliverability');
    expect(
      (await call('PUT', '/v1/suppressions/{address}', '/v1/suppressions/x@example.com', { payload: { reason: 'manual' } })).statusCode,
    ).toBe(201);
    expect(
      (await call('PUT', '/v1/suppressions/{address}', '/v1/suppressions/x@example.com', { payload: { reason: 'nope' } })).statusCode,
    ).toBe(400);
    await call('GET', '/v1/suppressions/{address}', '/v1/suppressions/x@example.com');
    await call('GET', '/v1/suppressions/{address}', '/v1/suppressions/y@example.com');
    await call('GET', '/v1/suppressions', '/v1/suppressions?limit=1');
    await call('GET', '/v1/suppressions/export', '/v1/suppressions/export');
    await call('POST', '/v1/suppressions/import', '/v1/suppressions/import', {
      headers: { 'content-type': 'text/csv' },
      payload: 'address,reason\nz@example.com,manual\n',
    });
    await call('DELETE', '/v1/suppressions/{address}', '/v1/suppressions/x@example.com');
    await call('DELETE', '/v1/suppressions/{address}', '/v1/suppressions/x@example.com');
    const token = gateway.deliverability.unsubscribe!.token('u@example.com', Date.now());
    await call('GET', '/v1/unsubscribe/{token}', `/v1/unsubscribe/${token}`);
    await call('POST', '/v1/unsubscribe/{token}', `/v1/unsubscribe/${token}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    await call('POST', '/v1/unsubscribe/{token}', `/v1/unsubscribe/${token}`, { headers: { 'content-type': 'text/plain' }, payload: 'x' });

    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/', '/dashboard/app.js', '/dashboard/app.css'])
      await call('GET', path, path);

    expect(problems).toEqual([]);
    // Every documented operation was called at least once.
    const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.keys(item as Json).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.filter((o) => !seen.has(o))).toEqual([]);
  });
});

describe('/docs', () => {
  it('serves the reference page and its assets without a key, under its own CSP', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = page.body.match(/src="([^"]*swagger-ui-bundle\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await app.inject({ method: 'GET', url: script!.startsWith('/') ? script! : `/docs/${script}` });
    expect(asset.statusCode).toBe(200);
    const json = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.json()).toEqual(doc);
    // The API itself still needs a key.
    expect((await app.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(401);
  });
});
