/**
 * Builds the nodemailer transporter for one provider and tracks, per send, whether message
 * data started to flow. nodemailer pipes the message stream only after the server answered
 * DATA with 354, so a lazily started stream tells "before DATA" (safe to retry elsewhere)
 * from "after DATA" (the server may have the message: unknown outcome).
 */
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { isTokenAuth } from './mail-auth.js';
import type { SmtpConfig } from './options.js';

export interface SendTracker {
  dataStarted: boolean;
}

/** Send trackers by the per-send AbortSignal handed to nodemailer (unique per send). */
export type TrackerMap = WeakMap<AbortSignal, SendTracker>;

export function createTransporter(cfg: SmtpConfig & { host: string }, trackers: TrackerMap): Transporter {
  const tls: ConnectionOptions = { rejectUnauthorized: !cfg.allowInsecure, minVersion: 'TLSv1.2' };
  if (cfg.ca) tls.ca = cfg.ca;
  if (cfg.servername) tls.servername = cfg.servername;
  const auth =
    cfg.auth &&
    (isTokenAuth(cfg.auth)
      ? { type: 'OAuth2' as const, user: cfg.auth.user, accessToken: cfg.auth.accessToken }
      : { user: cfg.auth.user, pass: cfg.auth.pass });
  const common: SMTPTransport.Options = {
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    requireTLS: cfg.requireTLS,
    tls,
    ...(auth ? { auth } : {}),
    ...(cfg.clientName ? { name: cfg.clientName } : {}),
    connectionTimeout: cfg.connectionTimeoutMs,
    greetingTimeout: cfg.greetingTimeoutMs,
    socketTimeout: cfg.socketTimeoutMs,
    dnsTimeout: cfg.connectionTimeoutMs,
    logger: false,
    debug: false,
    // Attachments are base64 content only: never let message data read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const pooled: SMTPPool.Options = { ...common, pool: true, maxConnections: cfg.maxConnections, maxMessages: cfg.maxMessages };
  const transporter: Transporter = cfg.pool ? nodemailer.createTransport(pooled) : nodemailer.createTransport(common);
  transporter.use('stream', (mail, done) => {
    const signal = mail.data.signal;
    const tracker = signal ? trackers.get(signal) : undefined;
    if (tracker) mail.message.processFunc((input) => startsLazily(input, () => (tracker.dataStarted = true)));
    done();
  });
  return transporter;
}

/** A stream that reads `input` only once someone reads it, and says so. */
function startsLazily(input: Readable, onStart: () => void): Readable {
  let started = false;
  const out: Readable = new Readable({
    read() {
      if (started) {
        input.resume();
        return;
      }
      started = true;
      onStart();
      input.on('data', (chunk: Buffer) => {
        if (!out.push(chunk)) input.pause();
      });
      input.once('end', () => out.push(null));
      input.once('error', (e) => out.destroy(e));
    },
    destroy(error, callback) {
      input.destroy();
      callback(error);
    },
  });
  return out;
}
