/**
 * The destination guard: a webhook goes only to https (unless allowHttp) and only to hosts
 * whose every resolved address is public, or explicitly allowed. It stops the gateway from
 * being used to reach loopback services, the private network or cloud metadata endpoints.
 *
 * Known limit: the address is resolved here and again by the HTTP client when it connects,
 * so a DNS answer that changes in between (rebinding) is not caught; the probe connects to
 * the checked address itself.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GatewayError } from '../../core/errors.js';
import { blockListOf, classifyAddress, inList, type AddressClass } from './ip-ranges.js';

export interface DestinationPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
  allowHosts: readonly string[];
}

interface ResolvedAddress {
  address: string;
  family: number;
}

export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardContext {
  provider: string;
  signal: AbortSignal;
  lookup?: LookupAll;
}

export interface CheckedDestination {
  url: URL;
  /** The URL without path or query, safe to show (a hook URL's path is often a credential). */
  display: string;
  addresses: ResolvedAddress[];
}

/** Classes `allowPrivate` permits; loopback, link-local and the rest need an `allowHosts` entry. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['private', 'cgnat']);

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export async function checkDestination(raw: string, policy: DestinationPolicy, ctx: GuardContext): Promise<CheckedDestination> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(ctx.provider, 'The webhook URL cannot be parsed', { reason: 'invalid_url' });
  }
  const display = displayUrl(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw refused(ctx.provider, `${display}: only https:// destinations are allowed (set allowHttp to permit http://)`, {
      reason: 'insecure_scheme',
      destination: display,
    });
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const hostAllowed = policy.allowHosts.some((h) => h.toLowerCase() === hostname);
  const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await resolve(hostname, display, ctx);
  if (hostAllowed) return { url, display, addresses };
  const allowList = blockListOf(policy.allowHosts);
  for (const { address } of addresses) {
    const cls = classifyAddress(address);
    if (cls === undefined || inList(allowList, address)) continue;
    if (policy.allowPrivate && PRIVATE_CLASSES.has(cls)) continue;
    throw refused(
      ctx.provider,
      `${display} resolves to a ${cls.replace('_', '-')} address (${address}); add it to allowHosts to permit it`,
      {
        reason: cls,
        destination: display,
        address,
      },
    );
  }
  return { url, display, addresses };
}

async function resolve(hostname: string, display: string, ctx: GuardContext): Promise<ResolvedAddress[]> {
  const lookup = ctx.lookup ?? systemLookup;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new GatewayError('GW_PROVIDER_TIMEOUT', `${display}: DNS lookup did not finish before the deadline`, { provider: ctx.provider }),
      );
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const found = await Promise.race([lookup(hostname), aborted]);
    if (found.length === 0) throw Object.assign(new Error('no address'), { code: 'ENOTFOUND' });
    return found;
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    const code = (error as { code?: string }).code ?? 'DNS error';
    throw new GatewayError('GW_PROVIDER_TRANSIENT', `${display}: DNS lookup failed (${code})`, {
      provider: ctx.provider,
      details: { networkCode: code },
    });
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

function refused(provider: string, message: string, details: Record<string, unknown>): GatewayError {
  return new GatewayError('GW_DESTINATION_REFUSED', message, { provider, details });
}
