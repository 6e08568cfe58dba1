/**
 * Each provider's own signing scheme, with keys generated per test run: what a real ESP does to
 * a webhook before it posts it. The receivers under test never see these private keys.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { Webhook } from 'standardwebhooks';

/** SendGrid: ECDSA P-256 / SHA-256 over timestamp + raw body; the verification key as base64 SPKI DER. */
export function sendgridSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    headers(raw: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
      const signature = sign('sha256', Buffer.from(timestamp + raw, 'utf8'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
      return {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      };
    },
  };
}

/** Mailgun: hex HMAC-SHA256 of timestamp + token with the signing key, inside the body. */
export function mailgunBody(signingKey: string, eventData: unknown, opts: { timestamp?: number; token?: string } = {}): string {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const token = opts.token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
  return JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData });
}

/** Standard Webhooks, signed by the reference library (not by our code). */
export function standardHeaders(secrets: string | string[], id: string, raw: string, at = new Date()): Record<string, string> {
  const signatures = (Array.isArray(secrets) ? secrets : [secrets]).map((s) => new Webhook(s).sign(id, at, raw));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

const SNS_KEYS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/**
 * SNS: an RSA key with a self-signed certificate served over loopback HTTP (the pattern in the
 * receiver's config allows it; production requires https sns.<region>.amazonaws.com), and
 * signatures v1 (SHA1withRSA) and v2 (SHA256withRSA) over the canonical string.
 */
export async function snsSigner() {
  const pems = await generate([{ name: 'commonName', value: 'sns.us-east-1.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
  });
  let certRequests = 0;
  let subscribeCalls = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/SimpleNotificationService-test.pem') {
      certRequests++;
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pems.cert);
    } else if (req.url?.startsWith('/subscribe')) {
      subscribeCalls++;
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    certUrl: `${base}/SimpleNotificationService-test.pem`,
    certRequests: () => certRequests,
    subscribeCalls: () => subscribeCalls,
    message(fields: Record<string, string>, version: '1' | '2' = '1', certUrl = `${base}/SimpleNotificationService-test.pem`): string {
      const keys = SNS_KEYS[fields.Type as keyof typeof SNS_KEYS];
      const toSign = keys
        .filter((k) => fields[k] !== undefined)
        .map((k) => `${k}\n${fields[k]}\n`)
        .join('');
      const Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(toSign, 'utf8'), pems.private).toString('base64');
      return JSON.stringify({ ...fields, SignatureVersion: version, Signature, SigningCertURL: certUrl });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
