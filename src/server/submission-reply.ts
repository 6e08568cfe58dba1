/**
 * How the HTTP service answers: a submission (200 with the result, replays marked; or 202 with
 * the delivery id and a Location header) and an error (its status and body, with Retry-After
 * when the gateway knows when to come back and Idempotency-Key when the request had one). The
 * one place these headers are written.
 */
import type { FastifyReply } from 'fastify';
import type { Submission } from '../delivery/delivery-service.js';
import type { ErrorReply } from './error-reply.js';

/** True when the request asks for asynchronous delivery (`Prefer: respond-async`, RFC 7240). */
export function prefersAsync(prefer: string | string[] | undefined): boolean {
  if (prefer === undefined) return false;
  const v = Array.isArray(prefer) ? prefer.join(',') : prefer;
  return v.split(',').some((p) => p.trim().toLowerCase().split(';')[0] === 'respond-async');
}

export function sendSubmission(reply: FastifyReply, s: Submission): FastifyReply {
  if (s.replayed) reply.header('idempotent-replayed', 'true');
  if (s.status === 'completed') {
    const r = s.result;
    reply.header('idempotency-key', r.idempotencyKey);
    return reply.code(200).send({
      result: r.result,
      provider: r.provider,
      attempts: r.attempts,
      idempotencyKey: r.idempotencyKey,
      latencyMs: r.latencyMs,
      replayed: s.replayed,
    });
  }
  const location = `/v1/deliveries/${s.delivery.id}`;
  reply.header('idempotency-key', s.idempotencyKey).header('location', location);
  return reply
    .code(202)
    .send({ deliveryId: s.delivery.id, idempotencyKey: s.idempotencyKey, state: s.delivery.state, location, replayed: s.replayed });
}

/** Sends a mapped error; `extra` joins the body (the capability route adds the active recommendations). */
export function sendError(reply: FastifyReply, mapped: ErrorReply, extra: Record<string, unknown> = {}): FastifyReply {
  if (mapped.retryAfterMs !== undefined) reply.header('retry-after', Math.max(1, Math.ceil(mapped.retryAfterMs / 1000)));
  if (mapped.body.error.idempotencyKey) reply.header('idempotency-key', mapped.body.error.idempotencyKey);
  return reply.code(mapped.status).send({ ...mapped.body, ...extra });
}
