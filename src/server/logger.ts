/**
 * The service's pino logger: JSON lines (or `pino-pretty` lines for a person at a terminal),
 * level from config, and `redact` over every path a secret can take (the Authorization header,
 * API/admin keys, provider credentials by name). Redaction happens before either format.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';

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

/** `json`: one JSON object per line (for collectors); `pretty`: time, level and message, colored on a TTY. */
export type LogFormat = 'json' | 'pretty';

export function createServiceLogger(opts: { level?: string; destination?: DestinationStream; format?: LogFormat } = {}): PinoLogger {
  const options = { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (opts.format === 'pretty') {
    const destination = opts.destination ?? process.stdout;
    const colorize = opts.destination === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const pretty = prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
    return pino(options, { write: (line: string) => void destination.write(pretty(line)) });
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
