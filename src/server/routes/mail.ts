/**
 * Deliverability routes:
 * - `POST /v1/events/:name`: an ESP's (or another signed sender's) mail events, verified by the
 *   named receiver over the raw body (any content type; public, authenticated by the sender's
 *   signature; no per-caller rate limit: ESPs post in bursts and a refusal costs one signature
 *   check). 200 with counts, or the receiver's refusal status (which stops the sender's retries);
 * - `GET /v1/deliverability` (API key): sends, events and rates per provider over the window,
 *   the thresholds, and hourly counts of the last 24 hours;
 * - the suppression list (API key): `GET /v1/suppressions?reason=&after=&limit=` (address order),
 *   `GET|PUT|DELETE /v1/suppressions/:address`, `GET /v1/suppressions/export` (CSV),
 *   `POST /v1/suppressions/import` (CSV body, all rows or none);
 * - one-click unsubscribe (RFC 8058, public, authenticated by the signed token in the link):
 *   `POST /v1/unsubscribe/:token` with `List-Unsubscribe=One-Click` suppresses the address at
 *   once; `GET` shows a page with a button that posts the same (a GET never unsubscribes: link
 *   scanners fetch every link in a message).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { suppressionsFromCsv, suppressionsToCsv } from '../../deliverability/suppression-csv.js';
import { GatewayError } from '../../core/errors.js';
import { SUPPRESSION_REASONS, type SuppressionEntry } from '../../store/mail-data.js';
import type { GatewayRuntime } from '../gateway-runtime.js';
import { manualSuppression } from '../openapi/schemas.js';
import type { RouteModule } from './route-module.js';

/** Event webhooks are batched by the ESPs (SendGrid up to 768 KB); a little more is allowed. */
const EVENT_BODY_LIMIT = 4 * 1024 * 1024;
/** A suppression import of a few hundred thousand addresses. */
const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
const EXPORT_PAGE = 5_000;

const address = z.email({ message: 'must be an email address' });

const view = (e: SuppressionEntry): Record<string, unknown> => ({ ...e, at: new Date(e.at).toISOString() });

const notSuppressed = (address: string) => ({
  error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: `${address} is not suppressed`, details: { reason: 'not_found' } },
});

function parseAddress(raw: string): string {
  const parsed = address.safeParse(raw);
  if (!parsed.success)
    throw new GatewayError('GW_INVALID_REQUEST', `"${raw.slice(0, 100)}" is not an email address`, {
      details: { problems: [{ path: 'params.address', message: 'must be an email address' }] },
    });
  return parsed.data;
}

function eventRoutes(app: FastifyInstance, runtime: GatewayRuntime): void {
  void app.register(async (scope) => {
    // Signatures are over the exact bytes received: every content type is read as a raw buffer.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: EVENT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { name: string } }>(
      '/v1/events/:name',
      { config: { auth: 'public', signed: true, rateLimit: false }, bodyLimit: EVENT_BODY_LIMIT },
      async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const answer = await runtime.gateway.deliverability.receive(req.params.name, { raw, headers });
        if (!answer) {
          return reply.code(404).send({
            error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: `No mail event receiver is named ${req.params.name}` },
          });
        }
        if ('error' in answer.body) {
          runtime.metrics.countMailWebhook(req.params.name, { refused: answer.body.error.reason });
          req.log.warn(
            { receiver: req.params.name, status: answer.status, reason: answer.body.error.reason },
            'mail event webhook refused',
          );
        } else {
          runtime.metrics.countMailWebhook(req.params.name, answer.body);
        }
        return reply.code(answer.status).send(answer.body);
      },
    );
  });
}

function suppressionRoutes(app: FastifyInstance, runtime: GatewayRuntime): void {
  const list = () => runtime.gateway.deliverability.suppressions;
  const now = () => runtime.gateway.clock.now();

  app.get<{ Querystring: { reason?: string; after?: string; limit?: string } }>('/v1/suppressions', async (req) => {
    const { reason, after, limit } = req.query;
    if (reason !== undefined && !(SUPPRESSION_REASONS as readonly string[]).includes(reason)) {
      throw new GatewayError('GW_INVALID_REQUEST', `reason must be one of ${SUPPRESSION_REASONS.join(', ')}`, {
        details: { problems: [{ path: 'querystring.reason', message: 'unknown reason' }] },
      });
    }
    const n = Math.min(1_000, Math.max(1, Number.parseInt(limit ?? '100', 10) || 100));
    const entries = await list().list({
      ...(reason ? { reason: reason as SuppressionEntry['reason'] } : {}),
      ...(after ? { after: after.toLowerCase() } : {}),
      limit: n,
    });
    return {
      suppressions: entries.map(view),
      total: await list().count(),
      ...(entries.length === n ? { next: entries.at(-1)!.address } : {}),
    };
  });

  app.get('/v1/deliverability', async () => {
    const r = await runtime.gateway.deliverability.health.report();
    return { ...r, at: new Date(r.at).toISOString(), hourly: r.hourly.map((b) => ({ ...b, hour: new Date(b.hour).toISOString() })) };
  });

  app.get('/v1/suppressions/export', async (_req, reply) => {
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="suppressions.csv"');
    let csv = '';
    let after: string | undefined;
    for (let first = true; ; first = false) {
      const page = await list().list({ limit: EXPORT_PAGE, ...(after ? { after } : {}) });
      csv += suppressionsToCsv(page, first);
      if (page.length < EXPORT_PAGE) return csv;
      after = page.at(-1)!.address;
    }
  });

  app.get<{ Params: { address: string } }>('/v1/suppressions/:address', async (req, reply) => {
    const [entry] = await list().lookup([parseAddress(req.params.address)]);
    if (!entry) return reply.code(404).send(notSuppressed(req.params.address));
    return { suppression: view(entry) };
  });

  app.put<{ Params: { address: string } }>('/v1/suppressions/:address', async (req, reply) => {
    const addr = parseAddress(req.params.address);
    const parsed = manualSuppression.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new GatewayError('GW_INVALID_REQUEST', 'Invalid suppression', {
        details: { problems: parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })) },
      });
    }
    const source = req.identity ? `api:${req.identity.name}` : 'api';
    const entry: SuppressionEntry = {
      address: addr,
      reason: parsed.data.reason,
      source,
      at: now(),
      ...(parsed.data.detail ? { detail: parsed.data.detail } : {}),
    };
    const created = await list().add(entry);
    return reply.code(created ? 201 : 200).send({ suppression: view({ ...entry, address: addr.toLowerCase() }), created });
  });

  app.delete<{ Params: { address: string } }>('/v1/suppressions/:address', async (req, reply) => {
    const removed = await list().remove(parseAddress(req.params.address));
    if (!removed) return reply.code(404).send(notSuppressed(req.params.address));
    req.log.info({ route: '/v1/suppressions/:address', by: req.identity?.name ?? 'local' }, 'address removed from the suppression list');
    return { removed: true };
  });

  void app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post('/v1/suppressions/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (req) => {
      if (typeof req.body !== 'string')
        throw new GatewayError('GW_INVALID_REQUEST', 'Send the suppression list as text/csv', {
          details: { problems: [{ path: '(body)', message: 'a CSV file with an address column' }] },
        });
      const entries = suppressionsFromCsv(req.body, now());
      let added = 0;
      for (const e of entries) if (await list().add(e)) added++;
      return { imported: entries.length, added, updated: entries.length - added };
    });
  });
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><main><h1>${title}</h1>${body}</main></body></html>`;

const TOKEN_REFUSED = {
  malformed: 'This unsubscribe link is not valid.',
  bad_signature: 'This unsubscribe link is not valid.',
  expired: 'This unsubscribe link has expired.',
};

function unsubscribeRoutes(app: FastifyInstance, runtime: GatewayRuntime): void {
  void app.register(async (scope) => {
    // Mailbox providers post application/x-www-form-urlencoded; any body is read as text.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4_096 }, (_req, body, done) => done(null, body));
    const config = { auth: 'public' as const, signed: true };

    scope.post<{ Params: { token: string } }>('/v1/unsubscribe/:token', { config, bodyLimit: 4_096 }, async (req, reply) => {
      const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
      if (form.get('List-Unsubscribe') !== 'One-Click') {
        return reply.code(400).send({
          error: {
            code: 'GW_INVALID_REQUEST',
            kind: 'invalid_request',
            message: 'A one-click unsubscribe posts List-Unsubscribe=One-Click (RFC 8058)',
          },
        });
      }
      const checked = await runtime.gateway.deliverability.unsubscribeByToken(req.params.token);
      if (!checked)
        return reply
          .code(404)
          .send({ error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: 'Unsubscribe links are not configured' } });
      const html = (req.headers.accept ?? '').includes('text/html');
      if (!checked.ok) {
        req.log.warn({ reason: checked.reason }, 'unsubscribe link refused');
        const message = TOKEN_REFUSED[checked.reason];
        return html
          ? reply
              .code(400)
              .type('text/html; charset=utf-8')
              .send(page('Unsubscribe', `<p>${message}</p>`))
          : reply
              .code(400)
              .send({ error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message, details: { reason: checked.reason } } });
      }
      req.log.info({ route: '/v1/unsubscribe/:token' }, 'address unsubscribed by one-click link');
      return html
        ? reply
            .type('text/html; charset=utf-8')
            .send(page('Unsubscribed', `<p>${escapeHtml(checked.address)} will receive no more of these emails.</p>`))
        : { unsubscribed: true };
    });

    scope.get<{ Params: { token: string } }>('/v1/unsubscribe/:token', { config }, async (req, reply) => {
      const links = runtime.gateway.deliverability.unsubscribe;
      if (!links)
        return reply.code(404).type('text/html; charset=utf-8').send(page('Unsubscribe', '<p>Unsubscribe links are not configured.</p>'));
      const checked = links.check(req.params.token, runtime.gateway.clock.now());
      if (!checked.ok)
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribe', `<p>${TOKEN_REFUSED[checked.reason]}</p>`));
      const action = `/v1/unsubscribe/${encodeURIComponent(req.params.token)}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Unsubscribe',
            `<p>Stop sending these emails to ${escapeHtml(checked.address)}?</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
          ),
        );
    });
  });
}

export const mailRoutes: RouteModule = (app, runtime) => {
  eventRoutes(app, runtime);
  suppressionRoutes(app, runtime);
  unsubscribeRoutes(app, runtime);
};
