/**
 * Options of an `smtp` provider. A preset fills host/port/secure; explicit options win.
 * TLS is required by default: implicit TLS (`secure`) or STARTTLS (`requireTLS`, default true).
 * Plain text or an unverifiable certificate needs `allowInsecure: true`.
 * Secrets: `auth.pass`, `auth.accessToken`.
 */
import { z } from 'zod';
import { mailAuth, type MailAuth } from './mail-auth.js';
import { SMTP_PRESET_NAMES, SMTP_PRESETS, type SmtpPresetName } from './presets.js';
import { senderAddress } from '../email-sender.js';

const ms = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);

const smtpOptionsInput = z
  .object({
    preset: z.enum(SMTP_PRESET_NAMES).optional(),
    /** Amazon SES region for the `ses` preset, e.g. `eu-west-1`. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like eu-west-1')
      .optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Implicit TLS from the first byte (port 465). */
    secure: z.boolean().optional(),
    /** Refuse to send unless STARTTLS succeeds. Default: true unless `secure` or `allowInsecure`. */
    requireTLS: z.boolean().optional(),
    /** Permit plain text and unverified certificates (test servers only). */
    allowInsecure: z.boolean().default(false),
    /** PEM CA certificate(s) to verify a private server's certificate. */
    ca: z.string().min(1).optional(),
    /** TLS server name (SNI / certificate check) when `host` is an IP address. */
    servername: z.string().min(1).optional(),
    /** Name sent in EHLO (default: the machine's hostname). */
    clientName: z.string().min(1).optional(),
    auth: mailAuth.optional(),
    /** Default sender; a request's `from` overrides it. */
    from: senderAddress.optional(),
    pool: z.boolean().default(false),
    maxConnections: z.number().int().min(1).max(100).default(5),
    maxMessages: z.number().int().min(1).max(100_000).default(100),
    connectionTimeoutMs: ms(100, 300_000, 10_000),
    greetingTimeoutMs: ms(100, 300_000, 10_000),
    socketTimeoutMs: ms(100, 1_800_000, 60_000),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.preset && SMTP_PRESETS[o.preset].host.includes('{region}') && !o.region && !o.host) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `preset ${o.preset} needs a region (e.g. eu-west-1)` });
    }
    const secure = o.secure ?? (o.preset ? SMTP_PRESETS[o.preset].secure : false);
    if (!secure && o.requireTLS === false && !o.allowInsecure) {
      ctx.addIssue({
        code: 'custom',
        path: ['requireTLS'],
        message: 'requireTLS: false may send credentials in plain text; set allowInsecure: true to permit it',
      });
    }
  });

export interface SmtpConfig {
  preset?: SmtpPresetName;
  /** Undefined when neither host nor preset is set: the provider is then not configured. */
  host?: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  allowInsecure: boolean;
  ca?: string;
  servername?: string;
  clientName?: string;
  auth?: MailAuth;
  from?: string;
  pool: boolean;
  maxConnections: number;
  maxMessages: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

/** Parses the options and resolves the preset into host, port and TLS mode. */
export const smtpOptions = smtpOptionsInput.transform((o): SmtpConfig => {
  const preset = o.preset ? SMTP_PRESETS[o.preset] : undefined;
  const secure = o.secure ?? preset?.secure ?? false;
  const host = o.host ?? preset?.host.replace('{region}', o.region ?? '');
  const { region: _region, ...rest } = o;
  return {
    ...rest,
    ...(host === undefined ? {} : { host }),
    secure,
    port: o.port ?? preset?.port ?? (secure ? 465 : 587),
    requireTLS: secure ? false : (o.requireTLS ?? !o.allowInsecure),
  };
});

export type SmtpOptions = z.input<typeof smtpOptionsInput>;
