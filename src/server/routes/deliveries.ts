/**
 * Delivery routes (a Fastify plugin): `GET /v1/deliveries/:id` (one outbox delivery),
 * `GET /v1/deliveries?state=&capability=&limit=` (newest first, with counts per state) and
 * `GET /v1/idempotency/:key` (what the ledger holds for a key). An email's answers add `events`:
 * what its ESP (or a bounce message) reported about it, found by the idempotency key it carried
 * and by its message ids. The answer to a submission itself is in ../submission-reply.ts.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { DeliveryService } from '../../delivery/delivery-service.js';
import type { LedgerEntry } from '../../delivery/ledger.js';
import { DELIVERY_STATES, type DeliveryQuery, type DeliveryRecord, type DeliveryState } from '../../delivery/outbox.js';
import { tagSafeKey } from '../../providers/email-sender.js';
import type { MailEventLog, MailEventRecord } from '../../store/mail-data.js';
import type { RouteModule } from './route-module.js';

export interface DeliveriesRouteOptions {
  delivery: DeliveryService;
  /** The mail event log: emails' answers list their events. */
  events?: MailEventLog;
}

/** The message ids of an email_sending result (one, or one per copy sent separately). */
function messageIdsOf(result: unknown): string[] {
  const r = (result ?? {}) as { messageId?: unknown; messages?: { messageId?: unknown }[] };
  const ids = [r.messageId, ...(Array.isArray(r.messages) ? r.messages.map((m) => m.messageId) : [])];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))];
}

const eventView = (e: MailEventRecord): Record<string, unknown> => ({
  type: e.type,
  address: e.address,
  at: new Date(e.at).toISOString(),
  provider: e.provider,
  eventId: e.eventId,
  ...(e.messageId ? { messageId: e.messageId } : {}),
  ...(e.detail ? { detail: e.detail } : {}),
});

/** The mail events of an email sent under `key` (none for other capabilities). */
async function eventsOf(events: MailEventLog | undefined, capability: string, key: string, result: unknown) {
  if (!events || capability !== 'email_sending') return undefined;
  const found = await events.forMessage({ gatewayKeys: [...new Set([key, tagSafeKey(key)])], messageIds: messageIdsOf(result) });
  return found.map(eventView);
}

function deliveryView(r: DeliveryRecord): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  const out: Record<string, unknown> = {
    id: r.id,
    idempotencyKey: r.idempotencyKey,
    capability: r.capability,
    state: r.state,
    attempts: r.attempts,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    nextAttemptAt: iso(r.nextAttemptAt),
  };
  if (r.provider !== undefined) out.provider = r.provider;
  if (r.state === 'delivered') out.result = r.result ?? null;
  if (r.lastError) out.lastError = r.lastError;
  return out;
}

function ledgerView(e: LedgerEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    idempotencyKey: e.key,
    capability: e.capability,
    state: e.state,
    createdAt: new Date(e.createdAt).toISOString(),
    updatedAt: new Date(e.updatedAt).toISOString(),
    expiresAt: new Date(e.expiresAt).toISOString(),
  };
  if (e.provider) out.provider = e.provider;
  if (e.deliveryId) out.deliveryId = e.deliveryId;
  if (e.error) out.error = { code: e.error.code, kind: e.error.kind, message: e.error.message };
  if (e.resolvedBy) out.resolvedBy = e.resolvedBy;
  return out;
}

const notFound = (what: string): Record<string, unknown> => ({
  error: {
    code: 'GW_INVALID_REQUEST',
    kind: 'invalid_request',
    message: `${what} is not known (or was purged)`,
    details: { reason: 'not_found' },
  },
});

/** Adds the delivery routes; `getDelivery` is read per request (a config reload may replace the gateway). */
function registerDeliveryRoutes(
  app: FastifyInstance,
  getDelivery: () => DeliveryService | undefined,
  getEvents: () => MailEventLog | undefined,
): void {
  app.get<{ Params: { id: string } }>('/v1/deliveries/:id', async (req, reply) => {
    const rec = await getDelivery()?.outbox?.get(req.params.id);
    if (!rec) return reply.code(404).send(notFound(`Delivery ${req.params.id}`));
    const events = await eventsOf(getEvents(), rec.capability, rec.idempotencyKey, rec.result);
    return { delivery: { ...deliveryView(rec), ...(events ? { events } : {}) } };
  });

  app.get<{ Querystring: { state?: string; capability?: string; limit?: string } }>('/v1/deliveries', async (req, reply) => {
    const { state, capability, limit } = req.query;
    if (state !== undefined && !(DELIVERY_STATES as readonly string[]).includes(state)) {
      return reply.code(400).send({
        error: {
          code: 'GW_INVALID_REQUEST',
          kind: 'invalid_request',
          message: `state must be one of ${DELIVERY_STATES.join(', ')}`,
          problems: [{ path: 'querystring.state', message: 'unknown state' }],
        },
      });
    }
    const outbox = getDelivery()?.outbox;
    if (!outbox) return { deliveries: [], counts: {} };
    const q: DeliveryQuery = { limit: Math.min(1_000, Math.max(1, Number.parseInt(limit ?? '100', 10) || 100)) };
    if (state) q.state = state as DeliveryState;
    if (capability) q.capability = capability;
    return { deliveries: (await outbox.list(q)).map(deliveryView), counts: await outbox.counts() };
  });

  app.get<{ Params: { key: string } }>('/v1/idempotency/:key', async (req, reply) => {
    const found = await getDelivery()?.lookup(req.params.key);
    if (!found) return reply.code(404).send(notFound(`Idempotency key ${req.params.key}`));
    const body: Record<string, unknown> = { entry: ledgerView(found.entry) };
    if (found.delivery) body.delivery = deliveryView(found.delivery);
    const events = await eventsOf(getEvents(), found.entry.capability, found.entry.key, found.delivery?.result ?? found.entry.result);
    if (events) body.events = events;
    return body;
  });
}

/** The route module of the server's ROUTES list: the delivery service of the runtime's current gateway. */
export const deliveriesRoutes: RouteModule = (app, runtime) =>
  registerDeliveryRoutes(
    app,
    () => (runtime.gateway as unknown as { delivery?: DeliveryService }).delivery,
    () => runtime.gateway.deliverability.events,
  );

/** The same routes as a Fastify plugin, for an app built around one DeliveryService. */
export const deliveriesPlugin: FastifyPluginAsync<DeliveriesRouteOptions> = async (app, opts) =>
  registerDeliveryRoutes(
    app,
    () => opts.delivery,
    () => opts.events,
  );
