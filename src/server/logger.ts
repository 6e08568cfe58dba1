/**
 * The service's pino logger: JSON lines, level from config, and `redact` over every path a
 * secret can take (the Authorization header, API/admin keys, provider credentials by name).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'apiKey',
  'apiKeys',
  'adminKeys',
  'apiToken',
  'accessToken',
  'pageAccessToken',
  'appSecret',
  'secret',
  'secrets',
  'pass',
  'password',
  'token',
  'key',
];

/** Every redacted path: request/response headers, and secret field names at the top four levels. */
const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]),
];

export function createServiceLogger(opts: { level?: string; destination?: DestinationStream } = {}): PinoLogger {
  const options = { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
