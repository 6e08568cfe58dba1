/**
 * Options of an `imap` provider. TLS is required by default: implicit TLS (`secure`, port 993,
 * the default) or STARTTLS (`requireTLS`, default true when not secure). Plain text or an
 * unverifiable certificate needs `allowInsecure: true`. Secrets: `auth.pass`, `auth.accessToken`.
 */
import { z } from 'zod';
import { mailAuth, type MailAuth } from '../smtp/mail-auth.js';
import { IMAP_PRESET_NAMES, IMAP_PRESETS, type ImapPresetName } from './presets.js';

const ms = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);

const imapOptionsInput = z
  .object({
    preset: z.enum(IMAP_PRESET_NAMES).optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Implicit TLS from the first byte (port 993). Default true. */
    secure: z.boolean().optional(),
    /** When not `secure`: refuse to log in unless STARTTLS succeeds. Default: true unless `allowInsecure`. */
    requireTLS: z.boolean().optional(),
    /** Permit plain text and unverified certificates (test servers only). */
    allowInsecure: z.boolean().default(false),
    /** PEM CA certificate(s) to verify a private server's certificate. */
    ca: z.string().min(1).optional(),
    servername: z.string().min(1).optional(),
    auth: mailAuth.optional(),
    /** Mailbox read when the request names none (or names INBOX). */
    mailbox: z.string().min(1).max(500).default('INBOX'),
    /** Most messages returned by one fetch (the request's `limit` is capped by it). */
    batchSize: z.number().int().min(1).max(500).default(50),
    /** First fetch and after a UIDVALIDITY reset: only messages received in the last N days. */
    sinceDays: z.number().int().min(1).max(3650).optional(),
    connectionTimeoutMs: ms(100, 300_000, 10_000),
    greetingTimeoutMs: ms(100, 300_000, 10_000),
    socketTimeoutMs: ms(100, 1_800_000, 60_000),
  })
  .strict()
  .superRefine((o, ctx) => {
    const secure = o.secure ?? (o.preset ? IMAP_PRESETS[o.preset].secure : true);
    if (!secure && o.requireTLS === false && !o.allowInsecure) {
      ctx.addIssue({
        code: 'custom',
        path: ['requireTLS'],
        message: 'requireTLS: false may send credentials in plain text; set allowInsecure: true to permit it',
      });
    }
  });

export interface ImapConfig {
  preset?: ImapPresetName;
  /** Undefined when neither host nor preset is set: the provider is then not configured. */
  host?: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  allowInsecure: boolean;
  ca?: string;
  servername?: string;
  auth?: MailAuth;
  mailbox: string;
  batchSize: number;
  sinceDays?: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

export const imapOptions = imapOptionsInput.transform((o): ImapConfig => {
  const preset = o.preset ? IMAP_PRESETS[o.preset] : undefined;
  const secure = o.secure ?? preset?.secure ?? true;
  const host = o.host ?? preset?.host;
  return {
    ...o,
    ...(host === undefined ? {} : { host }),
    secure,
    port: o.port ?? preset?.port ?? (secure ? 993 : 143),
    requireTLS: secure ? false : (o.requireTLS ?? !o.allowInsecure),
  };
});

export type ImapOptions = z.input<typeof imapOptionsInput>;
