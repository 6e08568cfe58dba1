/** Options of the `local_verifier` provider type. It has no secrets. */
import { isIP } from 'node:net';
import { z } from 'zod';

/** `1.1.1.1`, `1.1.1.1:5353`, `::1`, `[::1]:5353`: what node:dns `Resolver.setServers` accepts. */
export function isDnsServer(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 && Number(bracketed[2]) <= 65535;
  const v4 = /^([\d.]+):(\d{1,5})$/.exec(value);
  return v4 !== null && isIP(v4[1]!) === 4 && Number(v4[2]) <= 65535;
}

export const localVerifierOptions = z.object({
  dns: z
    .object({
      /** DNS servers to ask; the system's when absent. */
      servers: z.array(z.string().refine(isDnsServer, 'must be an IP address, optionally with :port (IPv6 as [addr]:port)')).optional(),
      /** Per-query timeout of the resolver (c-ares), before a retry. */
      timeoutMs: z.number().int().min(50).max(30_000).default(2_000),
      tries: z.number().int().min(1).max(5).default(2),
    })
    .prefault({}),
  /** The well-known domain whose MX the probe resolves to check DNS health. */
  probeDomain: z.string().min(3).default('gmail.com'),
  /** What a disposable domain makes an address: `risky` (default) or `undeliverable` (as NeverBounce does). */
  disposableStatus: z.enum(['risky', 'undeliverable']).default('risky'),
  /** More disposable domains (each one also covers its subdomains). */
  extraDisposableDomains: z.array(z.string().min(3)).default([]),
  /** Ask the mail host about the mailbox with RCPT TO (outbound port 25 must be open). Off by default. */
  smtpProbe: z.boolean().default(false),
  smtp: z
    .object({
      port: z.number().int().min(1).max(65_535).default(25),
      heloName: z.string().min(1).default('localhost'),
      /** Envelope sender of the probe; empty = null reverse-path `<>`. */
      mailFrom: z.string().default(''),
      /** Idle timeout of one SMTP step (connect, each reply). */
      timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      /** Also RCPT a random address of the domain: acceptance means accept-all (catch-all). */
      detectCatchAll: z.boolean().default(true),
      maxHosts: z.number().int().min(1).max(5).default(2),
    })
    .prefault({}),
});

export type LocalVerifierOptions = z.output<typeof localVerifierOptions>;
