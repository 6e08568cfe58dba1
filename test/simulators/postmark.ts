/**
 * Postmark simulator (shared/providers-esp.md §4): `POST /email` and `POST /email/batch`
 * checked as the real API checks them (`X-Postmark-Server-Token` -> 401 ErrorCode 10, JSON
 * `Accept` and `Content-Type`, a confirmed `From` signature -> 422/400, at most 50 recipients,
 * valid addresses, `TextBody` or `HtmlBody` -> 422/300, batch at most 500 -> 422/410 and 50 MB
 * -> 413, inactive recipients -> 422/406 with the SDK-parsable text, or "Message OK, but will not
 * deliver" when only some are); `GET /server`; the documented errors on demand.
 */
import { randomUUID } from 'node:crypto';
import { header, isObject, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

export const PM_TOKEN = 'pm-sim-token-91c2e7d0-5a3b';
/** The sender signatures the simulated server has confirmed. */
const SIGNATURES = ['news@example.com', 'alerts@example.com'];

type PostmarkMode =
  'bad_token' | 'unconfirmed_sender' | 'not_allowed' | 'pending' | 'rate_limit' | 'maintenance' | 'server_error' | 'unavailable';

export interface PostmarkSim extends HttpSim<PostmarkMode> {
  /** Every message accepted (single or batch element). */
  sent(): Record<string, unknown>[];
  /** Marks addresses inactive (hard bounce, complaint, manual suppression). */
  deactivate(...addresses: string[]): void;
}

const pmError = (status: number, code: number, message: string): SimReply => ({ status, body: { ErrorCode: code, Message: message } });
const EMAIL = /^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$/;

/** `Name <a@b>` or `a@b` -> the address. */
const addressOf = (v: string): string => (/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v).trim().toLowerCase();
const split = (v: unknown): string[] =>
  typeof v === 'string' && v.trim() !== ''
    ? v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    : [];

export async function startPostmarkSim(opts: { token?: string } = {}): Promise<PostmarkSim> {
  const token = opts.token ?? PM_TOKEN;
  const sent: Record<string, unknown>[] = [];
  const inactive = new Set<string>();

  /** One message: the answer element (ErrorCode 0 or an error) with its HTTP status for a single send. */
  const check = (m: unknown): { status: number; body: Record<string, unknown> } => {
    const fail = (status: number, code: number, message: string) => ({ status, body: { ErrorCode: code, Message: message } });
    if (!isObject(m)) return fail(422, 402, 'Received invalid JSON input.');
    const from = typeof m.From === 'string' ? addressOf(m.From) : '';
    if (!from) return fail(422, 300, "Invalid 'From' address: ''.");
    if (!SIGNATURES.includes(from))
      return fail(
        422,
        400,
        `The 'From' address you supplied (${from}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`,
      );
    const recipients = [...split(m.To), ...split(m.Cc), ...split(m.Bcc)];
    if (recipients.length === 0) return fail(422, 300, 'Zero recipients specified');
    if (recipients.length > 50) return fail(422, 300, 'Maximum of 50 recipients allowed.');
    const bad = recipients.find((r) => !EMAIL.test(addressOf(r)));
    if (bad) return fail(422, 300, `Error parsing 'To': Illegal email address '${bad}'. It must contain the '@' symbol.`);
    if (typeof m.TextBody !== 'string' && typeof m.HtmlBody !== 'string')
      return fail(422, 300, 'Provide either email TextBody or HtmlBody or both.');
    if (m.Metadata !== undefined && (!isObject(m.Metadata) || !Object.values(m.Metadata).every((v) => typeof v === 'string')))
      return fail(422, 300, 'Metadata values must be strings.');
    const dead = recipients.map(addressOf).filter((r) => inactive.has(r));
    if (dead.length === recipients.length)
      return fail(
        422,
        406,
        `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${dead.join(', ')}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
      );
    sent.push(m);
    return {
      status: 200,
      body: {
        To: m.To,
        SubmittedAt: new Date().toISOString(),
        MessageID: randomUUID(),
        ErrorCode: 0,
        Message: dead.length ? `Message OK, but will not deliver to these inactive addresses: ${dead.join(', ')}` : 'OK',
      },
    };
  };

  const handler = (req: SimRequest): SimReply => {
    if (!header(req, 'accept')?.includes('application/json'))
      return pmError(406, 409, "Please set the 'Accept' header to 'application/json'.");
    if (header(req, 'x-postmark-server-token') !== token) return pmError(401, 10, 'Request does not contain a valid Server token.');
    if (req.method === 'GET' && req.path === '/server')
      return { status: 200, body: { ID: 23, Name: 'Simulated server', ApiTokens: ['redacted'], Color: 'blue', DeliveryType: 'Live' } };
    if (req.method !== 'POST' || (req.path !== '/email' && req.path !== '/email/batch')) return pmError(404, 404, 'Not found');
    if (!header(req, 'content-type')?.startsWith('application/json')) return pmError(415, 409, 'JSON content type required.');
    if (req.bodyError) return pmError(422, 402, 'Received invalid JSON input.');
    if (req.path === '/email') {
      if (req.rawBody.length > 10 * 1024 * 1024) return pmError(413, 300, 'Request entity too large');
      return check(req.body);
    }
    if (req.rawBody.length > 50 * 1024 * 1024) return pmError(413, 300, 'Request entity too large');
    if (!Array.isArray(req.body)) return pmError(422, 403, 'Received incompatible JSON input.');
    if (req.body.length > 500) return pmError(422, 410, 'You may only send up to 500 messages in a batched call.');
    return { status: 200, body: req.body.map((m) => check(m).body) };
  };

  const modes: Record<PostmarkMode, (o: FailOptions) => { reply: SimReply }> = {
    bad_token: () => ({ reply: pmError(401, 10, 'Request does not contain a valid Server token.') }),
    unconfirmed_sender: () => ({
      reply: pmError(422, 401, 'Sender signature not confirmed. Please confirm your sender signature before sending.'),
    }),
    not_allowed: () => ({ reply: pmError(422, 405, 'Not allowed to send. Your account has run out of credits.') }),
    pending: () => ({ reply: pmError(422, 412, 'Account is pending approval.') }),
    rate_limit: () => ({ reply: pmError(429, 429, 'Rate Limit Exceeded') }),
    maintenance: () => ({ reply: pmError(422, 100, 'Maintenance: the Postmark API is offline for maintenance.') }),
    server_error: () => ({ reply: pmError(500, 0, 'Internal server error') }),
    unavailable: () => ({ reply: { status: 503, body: 'Service Unavailable' } }),
  };

  const sim = await startHttpSim<PostmarkMode>(handler, modes);
  return {
    ...sim,
    get url() {
      return sim.url;
    },
    get requests() {
      return sim.requests;
    },
    sent: () => sent,
    deactivate: (...addresses) => addresses.forEach((a) => inactive.add(a.toLowerCase())),
    reset() {
      sim.reset();
      sent.length = 0;
      inactive.clear();
    },
  };
}
