/**
 * Locating a domain's mail hosts (RFC 5321 §5.1, RFC 7505) through node:dns `Resolver`, on the
 * configured servers. One Resolver per lookup session, so aborting one attempt (Resolver.cancel())
 * never cancels another attempt's queries.
 *
 * NXDOMAIN and "no MX, no A/AAAA" are answers about the address; SERVFAIL, timeouts and refused
 * connections say nothing about it and become GW_PROVIDER_TRANSIENT.
 */
import { Resolver } from 'node:dns/promises';
import { GatewayError } from '../../core/errors.js';

export interface MailDnsOptions {
  /** `1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`; the system's servers when absent. */
  servers?: readonly string[];
  timeoutMs: number;
  tries: number;
}

export type MailRoute =
  /** MX exchanges, lowest preference first. */
  | { kind: 'mx'; mx: string[] }
  /** No MX records: the domain itself is the implicit MX (it has A/AAAA records). */
  | { kind: 'implicit'; addresses: string[] }
  | { kind: 'null_mx' }
  | { kind: 'no_mx_or_a' }
  | { kind: 'nxdomain' };

/** c-ares codes meaning "the name or the record type does not exist". */
const NO_NAME = 'ENOTFOUND';
const NO_DATA = new Set(['ENODATA', 'ENONAME']);

export class MailDns {
  constructor(
    private readonly options: MailDnsOptions,
    private readonly provider: string,
  ) {}

  /** Where mail for `domain` goes. */
  async route(domain: string, signal: AbortSignal): Promise<MailRoute> {
    return this.session(signal, async (resolver) => {
      let records: { exchange: string; priority: number }[];
      try {
        records = await resolver.resolveMx(domain);
      } catch (error) {
        const code = errorCode(error);
        if (code === NO_NAME) return { kind: 'nxdomain' };
        if (!NO_DATA.has(code)) throw this.failure(error, signal, domain, 'MX');
        records = [];
      }
      const isNull = (r: { exchange: string }): boolean => r.exchange === '' || r.exchange === '.';
      if (records.length === 1 && isNull(records[0]!)) return { kind: 'null_mx' };
      const usable = records.filter((r) => !isNull(r)).sort((a, b) => a.priority - b.priority);
      if (usable.length > 0) return { kind: 'mx', mx: usable.map((r) => r.exchange.toLowerCase().replace(/\.$/, '')) };
      if (records.length > 0) return { kind: 'null_mx' };
      const addresses = await this.lookupAddresses(resolver, domain, signal);
      return addresses.length > 0 ? { kind: 'implicit', addresses } : { kind: 'no_mx_or_a' };
    });
  }

  /** A and AAAA addresses of a host (for the SMTP probe), IPv4 first. */
  async addresses(host: string, signal: AbortSignal): Promise<string[]> {
    return this.session(signal, (resolver) => this.lookupAddresses(resolver, host, signal));
  }

  private async lookupAddresses(resolver: Resolver, host: string, signal: AbortSignal): Promise<string[]> {
    const settled = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const found: string[] = [];
    let failure: unknown;
    for (const s of settled) {
      if (s.status === 'fulfilled') found.push(...s.value);
      else if (errorCode(s.reason) !== NO_NAME && !NO_DATA.has(errorCode(s.reason))) failure ??= s.reason;
    }
    if (found.length === 0 && failure !== undefined) throw this.failure(failure, signal, host, 'A/AAAA');
    return found;
  }

  private async session<T>(signal: AbortSignal, fn: (resolver: Resolver) => Promise<T>): Promise<T> {
    if (signal.aborted) throw this.aborted();
    const resolver = new Resolver({ timeout: this.options.timeoutMs, tries: this.options.tries });
    if (this.options.servers && this.options.servers.length > 0) resolver.setServers([...this.options.servers]);
    const onAbort = (): void => resolver.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(resolver);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private aborted(): GatewayError {
    return new GatewayError('GW_PROVIDER_TIMEOUT', 'DNS lookup abandoned at the attempt deadline', { provider: this.provider });
  }

  /** A lookup error that says nothing about the address. The raw error is not attached (it is only a code). */
  private failure(error: unknown, signal: AbortSignal, name: string, type: string): GatewayError {
    if (signal.aborted) return this.aborted();
    const code = errorCode(error) || 'unknown';
    return new GatewayError('GW_PROVIDER_TRANSIENT', `DNS ${type} lookup of ${name} failed (${code}); the address was not judged`, {
      provider: this.provider,
      details: { dnsCode: code, providerCode: 'dns_failure' },
    });
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}
