/**
 * SendGrid v3 simulator (shared/providers-esp.md §1): `POST /v3/mail/send` checked as the real
 * API checks it (Bearer key, personalizations 1..1000, at most 1000 recipients in all, each `to`
 * entry an address, an address once across personalizations, `text/plain` before `text/html`
 * each at most once, `reply_to` xor `reply_to_list`, at most 10 categories, `custom_args` under
 * 10,000 bytes, forbidden headers, a `from` address, a subject for every personalization, body
 * under 30 MB), answered `202` with an empty body and a 22-character `X-Message-Id`; `GET
 * /v3/scopes`; `X-RateLimit-*` on every answer; the documented error bodies on demand.
 */
import { randomBytes } from 'node:crypto';
import { header, isObject, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

export const SG_KEY = 'SG.sim-key.4b7d9e21c3f0a8';
const LIMIT = 600;

type SendGridMode = 'bad_key' | 'no_credits' | 'unverified_sender' | 'no_scope' | 'rate_limit' | 'server_error' | 'too_large';

export interface SendGridSim extends HttpSim<SendGridMode> {
  /** Every accepted Mail Send body with the id it was given. */
  sent(): { messageId: string; body: Record<string, unknown> }[];
}

const errors = (status: number, message: string, field: string | null = null, help: string | null = null): SimReply => ({
  status,
  body: { errors: [{ message, field, help }] },
});

const FORBIDDEN_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
]);

/** The first reason the real API would refuse this body (400), or undefined. */
function invalid(body: unknown): SimReply | undefined {
  if (!isObject(body)) return errors(400, 'Bad Request', null);
  const ps = body.personalizations;
  if (!Array.isArray(ps) || ps.length === 0)
    return errors(400, 'The personalizations field is required and must have at least one personalization.', 'personalizations');
  if (ps.length > 1000)
    return errors(400, 'The personalization block is limited to 1000 personalizations per API request.', 'personalizations');
  const seen = new Set<string>();
  let recipients = 0;
  for (const [i, p] of ps.entries()) {
    if (!isObject(p)) return errors(400, 'Invalid type. Expected: object', `personalizations.${i}`);
    const to = p.to;
    if (
      !Array.isArray(to) ||
      to.length === 0 ||
      !to.every((t) => isObject(t) && typeof t.email === 'string' && /^[^@\s]+@[^@\s]+$/.test(t.email))
    )
      return errors(
        400,
        'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        `personalizations.${i}.to`,
        'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to',
      );
    for (const kind of ['to', 'cc', 'bcc'] as const) {
      const list = p[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) return errors(400, 'Invalid type. Expected: array', `personalizations.${i}.${kind}`);
      for (const r of list as Record<string, unknown>[]) {
        const email = String(r.email).toLowerCase();
        if (seen.has(email))
          return errors(
            400,
            'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [' +
              email +
              '] in the personalizations.' +
              i +
              '.' +
              kind +
              ' field.',
            `personalizations.${i}.${kind}`,
          );
        seen.add(email);
        recipients++;
      }
    }
    if (p.subject === undefined && typeof body.subject !== 'string')
      return errors(
        400,
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
        'subject',
      );
    if (p.custom_args !== undefined && JSON.stringify(p.custom_args).length >= 10_000)
      return errors(400, 'The custom_args size must be less than 10000 bytes.', `personalizations.${i}.custom_args`);
  }
  if (recipients > 1000) return errors(400, 'There is a limit of 1000 total recipients (to + cc + bcc) per request.', 'personalizations');
  if (!isObject(body.from) || typeof body.from.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(body.from.email))
    return errors(400, 'The from object must be provided for every email send. It is an object that requires an email parameter.', 'from');
  if (body.reply_to !== undefined && body.reply_to_list !== undefined)
    return errors(400, 'The reply_to and reply_to_list properties are mutually exclusive.', 'reply_to');
  const content = body.content;
  if (body.template_id === undefined) {
    if (!Array.isArray(content) || content.length === 0)
      return errors(400, 'Unless a valid template_id is provided, the content parameter is required.', 'content');
    const types = content.map((c) => (isObject(c) ? c.type : undefined));
    if (new Set(types).size !== types.length) return errors(400, 'Each content type may be used only once.', 'content');
    if (types.includes('text/html') && types.includes('text/plain') && types.indexOf('text/plain') > types.indexOf('text/html'))
      return errors(400, 'The text/plain content type must come before text/html.', 'content.0.type');
    if (!content.every((c) => isObject(c) && typeof c.value === 'string' && c.value.length > 0))
      return errors(400, 'The content value must be a string at least one character in length.', 'content.0.value');
  }
  if (Array.isArray(body.categories) && body.categories.length > 10)
    return errors(400, 'Too many categories. You may only use 10 categories per message.', 'categories');
  if (body.custom_args !== undefined && JSON.stringify(body.custom_args).length >= 10_000)
    return errors(400, 'The custom_args size must be less than 10000 bytes.', 'custom_args');
  if (isObject(body.headers)) {
    for (const name of Object.keys(body.headers))
      if (FORBIDDEN_HEADERS.has(name.toLowerCase())) return errors(400, `The header "${name}" is reserved and cannot be set.`, 'headers');
  }
  if (Array.isArray(body.attachments)) {
    for (const [i, a] of body.attachments.entries()) {
      if (!isObject(a) || typeof a.content !== 'string' || typeof a.filename !== 'string')
        return errors(400, 'The attachment content and filename are required.', `attachments.${i}`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.content))
        return errors(400, 'The attachment content must be base64 encoded.', `attachments.${i}.content`);
    }
  }
  return undefined;
}

export async function startSendGridSim(opts: { key?: string } = {}): Promise<SendGridSim> {
  const key = opts.key ?? SG_KEY;
  const sent: { messageId: string; body: Record<string, unknown> }[] = [];
  let remaining = LIMIT;
  const reset = (): string => String(Math.floor(Date.now() / 1000) + 60);
  const rate = (): Record<string, string> => ({
    'x-ratelimit-limit': String(LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': reset(),
  });
  const withRate = (r: SimReply): SimReply => ({ ...r, headers: { ...rate(), ...r.headers } });

  const handler = (req: SimRequest): SimReply => {
    if (header(req, 'authorization') !== `Bearer ${key}`) return withRate(errors(401, 'authorization required'));
    if (req.method === 'GET' && req.path === '/v3/scopes') return withRate({ status: 200, body: { scopes: ['mail.send', 'alerts.read'] } });
    if (req.path !== '/v3/mail/send') return withRate(errors(404, 'not found'));
    if (req.method !== 'POST') return withRate(errors(405, 'method not allowed'));
    if (!header(req, 'content-type')?.startsWith('application/json'))
      return withRate(errors(415, 'Content-Type should be application/json.'));
    if (req.rawBody.length >= 30 * 1024 * 1024) return withRate(errors(413, 'content too large'));
    if (req.bodyError) return withRate(errors(400, 'Bad Request'));
    const refused = invalid(req.body);
    if (refused) return withRate(refused);
    remaining--;
    const body = req.body as Record<string, unknown>;
    const sandbox =
      isObject(body.mail_settings) && isObject(body.mail_settings.sandbox_mode) && body.mail_settings.sandbox_mode.enable === true;
    if (sandbox) return withRate({ status: 200, body: '' });
    const messageId = randomBytes(16).toString('base64url').slice(0, 22);
    sent.push({ messageId, body });
    return { status: 202, headers: { ...rate(), 'x-message-id': messageId, 'content-type': 'text/plain; charset=utf-8' }, body: '' };
  };

  const rateLimited = (): SimReply => ({
    status: 429,
    headers: { 'x-ratelimit-limit': String(LIMIT), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset() },
    body: { errors: [{ field: null, message: 'too many requests' }] },
  });
  const modes: Record<SendGridMode, (o: FailOptions) => { reply: SimReply }> = {
    bad_key: () => ({ reply: withRate(errors(401, 'The provided authorization grant is invalid, expired, or revoked')) }),
    no_credits: () => ({ reply: withRate(errors(401, 'Maximum credits exceeded')) }),
    unverified_sender: () => ({
      reply: withRate(
        errors(
          403,
          'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements',
          'from',
        ),
      ),
    }),
    no_scope: () => ({ reply: withRate({ status: 200, body: { scopes: ['alerts.read'] } }) }),
    rate_limit: () => ({ reply: rateLimited() }),
    server_error: () => ({ reply: withRate({ status: 500, body: { errors: [{ message: 'internal server error' }] } }) }),
    too_large: () => ({ reply: withRate(errors(413, 'content too large')) }),
  };

  const sim = await startHttpSim<SendGridMode>(handler, modes);
  return {
    ...sim,
    get url() {
      return sim.url;
    },
    get requests() {
      return sim.requests;
    },
    sent: () => sent,
    reset() {
      sim.reset();
      sent.length = 0;
      remaining = LIMIT;
    },
  };
}
