/**
 * Amazon SES v2 simulator (shared/providers-esp.md §3), rest-json as the SDK speaks it:
 * - every request's SigV4 signature is recomputed from the headers it names, the Host header
 *   received and the body, with the fixture secret (a wrong secret answers 403
 *   SignatureDoesNotMatch, an unknown key id 403 UnrecognizedClientException, a date more than
 *   5 minutes off 403 InvalidSignatureException);
 * - `POST /v2/email/outbound-emails`: exactly one of Simple/Raw/Template, a Simple subject and
 *   body, at most 50 recipients, a verified From identity (else MessageRejected), tag names and
 *   values of letters, digits, `_` and `-`, at most 15 headers; in sandbox mode only verified
 *   recipients; answers `{"MessageId":"…-000000"}`;
 * - `GET /v2/email/account`: the account's quota and standing;
 * - errors as `x-amzn-ErrorType` plus `{"message"}`.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { header, isObject, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

export const SES_KEY_ID = 'AKIASIMULATOR7EXAMPLE';
export const SES_SECRET = 'sim/SecretKey+9d2f1c7a3b5e8d0f4a6c2e1b7d9f';
export const SES_REGION = 'eu-west-1';
/** Verified identities: one domain and one address. */
const IDENTITIES = ['example.com', 'news@mg.example.com'];

type SesMode =
  'unrecognized' | 'throttle' | 'daily_quota' | 'paused' | 'suspended' | 'mail_from' | 'no_config_set' | 'internal' | 'paused_account';

export interface SesSim extends HttpSim<SesMode> {
  sent(): Record<string, unknown>[];
  /** Sandbox accounts deliver only to verified identities. */
  setSandbox(on: boolean): void;
  /** How many signatures failed verification. */
  signatureFailures(): number;
}

const awsError = (status: number, type: string, message: string): SimReply => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, 'x-amzn-requestid': randomUUID() },
  body: { message },
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it for path segments. */
const encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Why the request's SigV4 signature does not verify, or undefined when it does. */
function verifySignature(req: SimRequest, secret: string): { type: string; message: string } | undefined {
  const auth = header(req, 'authorization') ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, keyId, day, region, service, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== SES_KEY_ID)
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (service !== 'ses' || region !== SES_REGION)
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service 'ses'.` };
  const amzDate = header(req, 'x-amz-date') ?? '';
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(at) || Math.abs(Date.now() - at) > 5 * 60_000 || !amzDate.startsWith(day!))
    return { type: 'InvalidSignatureException', message: 'Signature expired or the date is not in the request scope.' };
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date'))
    return { type: 'InvalidSignatureException', message: 'The request signature must sign host and x-amz-date.' };
  const canonicalHeaders = names.map((n) => `${n}:${(header(req, n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const query = [...req.query.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = req.path
    .split('/')
    .map((s) => encode(decodeURIComponent(s)))
    .join('/');
  const payloadHash = header(req, 'x-amz-content-sha256') ?? sha256(Buffer.from(req.rawBody, 'utf8'));
  if (payloadHash !== sha256(Buffer.from(req.rawBody, 'utf8')))
    return { type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  const canonical = [req.method, path, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region), service), 'aws4_request');
  if (hmac(key, toSign).toString('hex') !== signature)
    return {
      type: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  return undefined;
}

const addressOf = (v: string): string => (/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v).trim().toLowerCase();
const verified = (address: string): boolean => {
  const a = addressOf(address);
  return IDENTITIES.includes(a) || IDENTITIES.includes(a.split('@')[1] ?? '');
};
const TAG = /^[A-Za-z0-9_-]{1,256}$/;

export async function startSesSim(): Promise<SesSim> {
  const sent: Record<string, unknown>[] = [];
  let sandbox = false;
  let signatureFailures = 0;

  const sendEmail = (body: unknown): SimReply => {
    if (!isObject(body)) return awsError(400, 'BadRequestException', 'Invalid request body');
    const from = body.FromEmailAddress;
    if (typeof from !== 'string') return awsError(400, 'BadRequestException', 'Missing FromEmailAddress');
    const content = body.Content;
    const kinds = isObject(content) ? ['Simple', 'Raw', 'Template'].filter((k) => content[k] !== undefined) : [];
    if (kinds.length !== 1) return awsError(400, 'BadRequestException', 'Exactly one of Simple, Raw or Template content must be specified');
    const simple = (content as Record<string, unknown>).Simple;
    if (isObject(simple)) {
      if (!isObject(simple.Subject) || typeof simple.Subject.Data !== 'string')
        return awsError(400, 'BadRequestException', 'Subject is required');
      if (!isObject(simple.Body) || (simple.Body.Text === undefined && simple.Body.Html === undefined))
        return awsError(400, 'BadRequestException', 'Body must contain Text or Html');
      if (Array.isArray(simple.Headers) && simple.Headers.length > 15)
        return awsError(400, 'BadRequestException', 'At most 15 headers are allowed');
      if (
        Array.isArray(simple.Attachments) &&
        !simple.Attachments.every((a) => isObject(a) && typeof a.RawContent === 'string' && typeof a.FileName === 'string')
      )
        return awsError(400, 'BadRequestException', 'Attachment RawContent and FileName are required');
    }
    const dest = isObject(body.Destination) ? body.Destination : {};
    const recipients = ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((k) => (Array.isArray(dest[k]) ? (dest[k] as string[]) : []));
    if (recipients.length === 0) return awsError(400, 'BadRequestException', 'Missing final destination');
    if (recipients.length > 50) return awsError(400, 'BadRequestException', 'Recipient count exceeds 50.');
    if (!verified(from))
      return awsError(
        400,
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${SES_REGION.toUpperCase()}: ${addressOf(from)}`,
      );
    if (sandbox) {
      const unverified = recipients.filter((r) => !verified(r));
      if (unverified.length)
        return awsError(
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region ${SES_REGION.toUpperCase()}: ${unverified.join(', ')}`,
        );
    }
    const tags = Array.isArray(body.EmailTags) ? body.EmailTags : [];
    if (
      !tags.every((t) => isObject(t) && typeof t.Name === 'string' && typeof t.Value === 'string' && TAG.test(t.Name) && TAG.test(t.Value))
    )
      return awsError(400, 'BadRequestException', 'Tag names and values may contain only ASCII letters, numbers, underscores and dashes');
    sent.push(body);
    return { status: 200, body: { MessageId: `0101019${Date.now().toString(16)}-${randomUUID()}-000000` } };
  };

  const handler = (req: SimRequest): SimReply => {
    const refused = verifySignature(req, SES_SECRET);
    if (refused) {
      signatureFailures++;
      return awsError(403, refused.type, refused.message);
    }
    if (req.method === 'POST' && req.path === '/v2/email/outbound-emails') {
      if (!header(req, 'content-type')?.startsWith('application/json'))
        return awsError(400, 'BadRequestException', 'Content-Type must be application/json');
      return req.bodyError ? awsError(400, 'SerializationException', 'Invalid JSON') : sendEmail(req.body);
    }
    if (req.method === 'GET' && req.path === '/v2/email/account') {
      return {
        status: 200,
        body: {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: 'HEALTHY',
          ProductionAccessEnabled: !sandbox,
          SendQuota: { Max24HourSend: sandbox ? 200 : 50_000, MaxSendRate: sandbox ? 1 : 14, SentLast24Hours: sent.length },
          SendingEnabled: true,
        },
      };
    }
    return awsError(404, 'NotFoundException', 'Not found');
  };

  const modes: Record<SesMode, (o: FailOptions) => { reply: SimReply }> = {
    unrecognized: () => ({ reply: awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.') }),
    throttle: () => ({ reply: awsError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.') }),
    daily_quota: () => ({ reply: awsError(429, 'TooManyRequestsException', 'Daily message quota exceeded.') }),
    paused: () => ({ reply: awsError(400, 'SendingPausedException', 'Sending is paused for this account.') }),
    suspended: () => ({ reply: awsError(400, 'AccountSuspendedException', 'The account has been suspended.') }),
    mail_from: () => ({ reply: awsError(400, 'MailFromDomainNotVerifiedException', 'The MAIL FROM domain is not verified.') }),
    no_config_set: () => ({ reply: awsError(404, 'NotFoundException', 'Configuration set <events> does not exist.') }),
    internal: () => ({ reply: awsError(500, 'InternalServiceErrorException', 'Internal service error.') }),
    paused_account: () => ({
      reply: {
        status: 200,
        body: {
          EnforcementStatus: 'SHUTDOWN',
          ProductionAccessEnabled: true,
          SendingEnabled: false,
          SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
        },
      },
    }),
  };

  const sim = await startHttpSim<SesMode>(handler, modes);
  return {
    ...sim,
    get url() {
      return sim.url;
    },
    get requests() {
      return sim.requests;
    },
    sent: () => sent,
    setSandbox: (on) => {
      sandbox = on;
    },
    signatureFailures: () => signatureFailures,
    reset() {
      sim.reset();
      sent.length = 0;
      sandbox = false;
      signatureFailures = 0;
    },
  };
}
