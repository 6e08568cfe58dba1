/**
 * A Standard Webhooks receiver (shared/providers.md §9). It verifies every delivery with the
 * `standardwebhooks` package (`new Webhook(secret).verify(body, headers)`, a verifier we did
 * not write): a bad or missing signature, or a stale timestamp, answers 401. Accepted
 * deliveries are recorded by webhook-id; a repeated id is acknowledged and counted, not
 * processed again (the receiver side of deduplication). A repeated id whose body differs from
 * the first one is a sender defect (the receiver would silently keep the old body): it is
 * recorded in `conflicts`.
 */
import { Webhook } from 'standardwebhooks';
import {
  header,
  retryAfterHeaders,
  startHttpSim,
  type FailOptions,
  type HttpSim,
  type Injection,
  type SimReply,
  type SimRequest,
} from './http-sim.js';

export interface ReceiverOptions {
  /** The secret(s) the receiver verifies with (`whsec_…`); any one matching is enough. */
  secrets: string[];
  /** Builds the 2xx answer for a processed delivery (default `{ok:true}`). */
  answer?: (event: DeliveredEvent) => SimReply;
}

interface DeliveredEvent {
  webhookId: string;
  timestamp: string;
  signature: string;
  path: string;
  raw: string;
  /** The verified, parsed body: `{type, timestamp, data}`. */
  payload: { type: string; timestamp: string; data: unknown };
  /** How many times this webhook-id arrived. */
  deliveries: number;
}

type ReceiverFailMode =
  | 'gone'
  | 'not_found'
  | 'rate_limit'
  | 'server_error'
  | 'bad_gateway'
  | 'unavailable'
  | 'gateway_timeout'
  | 'redirect'
  | 'rejected'
  | 'unauthorized';

export interface WebhookReceiver extends HttpSim<ReceiverFailMode> {
  /** Verified deliveries by webhook-id. */
  readonly events: Map<string, DeliveredEvent>;
  /** Deliveries that failed verification, with the verifier's message. */
  readonly refused: { webhookId?: string; reason: string }[];
  /** Webhook-ids that arrived again with a different body. */
  readonly conflicts: string[];
  /** Every verified arrival in order, retries included: its webhook-id, webhook-timestamp header and raw body. */
  readonly arrivals: { id: string; timestamp: string; raw: string }[];
  setSecrets(secrets: string[]): void;
  setAnswer(answer: ((event: DeliveredEvent) => SimReply) | undefined): void;
}

export async function start(opts: ReceiverOptions): Promise<WebhookReceiver> {
  let secrets = [...opts.secrets];
  let answer = opts.answer;
  const events = new Map<string, DeliveredEvent>();
  const refused: { webhookId?: string; reason: string }[] = [];
  const conflicts: string[] = [];
  const arrivals: { id: string; timestamp: string; raw: string }[] = [];

  const verify = (req: SimRequest): { payload?: DeliveredEvent['payload']; reason?: string } => {
    const headers: Record<string, string> = {};
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = header(req, name) ?? '';
    let reason = 'no secret';
    for (const secret of secrets) {
      try {
        return { payload: new Webhook(secret).verify(req.rawBody, headers) as DeliveredEvent['payload'] };
      } catch (error) {
        reason = (error as Error).message;
      }
    }
    return { reason };
  };

  const handler = (req: SimRequest): SimReply => {
    if (req.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
    if (!(header(req, 'content-type') ?? '').startsWith('application/json')) return { status: 415, body: { error: 'JSON only' } };
    const webhookId = header(req, 'webhook-id');
    const { payload, reason } = verify(req);
    if (!payload || !webhookId) {
      refused.push({ webhookId, reason: reason ?? 'missing webhook-id' });
      return { status: 401, body: { error: reason } };
    }
    arrivals.push({ id: webhookId, timestamp: header(req, 'webhook-timestamp') ?? '', raw: req.rawBody });
    const seen = events.get(webhookId);
    if (seen) {
      seen.deliveries++;
      if (seen.raw !== req.rawBody) conflicts.push(webhookId);
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    const event: DeliveredEvent = {
      webhookId,
      timestamp: header(req, 'webhook-timestamp') ?? '',
      signature: header(req, 'webhook-signature') ?? '',
      path: req.path,
      raw: req.rawBody,
      payload,
      deliveries: 1,
    };
    events.set(webhookId, event);
    return answer ? answer(event) : { status: 200, body: { ok: true } };
  };

  const reply = (r: SimReply): Injection => ({ reply: r });
  const modes: Record<ReceiverFailMode, (o: FailOptions) => Injection> = {
    gone: () => reply({ status: 410, body: { error: 'endpoint removed' } }),
    not_found: () => reply({ status: 404, body: { error: 'no such hook' } }),
    rate_limit: (o) =>
      reply({
        status: 429,
        headers: { 'retry-after': String((o.retryAfter as number | string | undefined) ?? 30) },
        body: { error: 'slow down' },
      }),
    server_error: () => reply({ status: 500, body: { error: 'boom' } }),
    bad_gateway: () => reply({ status: 502, body: 'Bad Gateway' }),
    unavailable: (o) => reply({ status: 503, headers: retryAfterHeaders(o.retryAfter), body: 'Service Unavailable' }),
    gateway_timeout: () => reply({ status: 504, body: 'Gateway Timeout' }),
    redirect: () => reply({ status: 307, headers: { location: 'https://elsewhere.example/hooks/moved' } }),
    rejected: () => reply({ status: 400, body: { error: 'unknown event type' } }),
    unauthorized: () => reply({ status: 401, body: { error: 'No matching signature found' } }),
  };

  const sim = await startHttpSim<ReceiverFailMode>(handler, modes);
  const reset = sim.reset;
  return Object.assign(sim, {
    events,
    refused,
    conflicts,
    arrivals,
    setSecrets(next: string[]) {
      secrets = [...next];
    },
    setAnswer(next: ((event: DeliveredEvent) => SimReply) | undefined) {
      answer = next;
    },
    reset() {
      reset();
      events.clear();
      refused.length = 0;
      conflicts.length = 0;
      arrivals.length = 0;
      secrets = [...opts.secrets];
      answer = opts.answer;
    },
  });
}
