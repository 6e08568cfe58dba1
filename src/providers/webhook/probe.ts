/**
 * Webhook probe: there is no side-effect-free request an arbitrary receiver understands, so
 * the probe sends none. It runs the destination guard (scheme, DNS, address ranges) and opens
 * a TCP connection to the checked address (with a TLS handshake for https, which also checks
 * the certificate), then closes it.
 */
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { GatewayError } from '../../core/errors.js';
import type { ProbeContext, ProbeResult } from '../../core/provider.js';
import { checkDestination, type LookupAll } from './destination-guard.js';
import type { WebhookOptions } from './options.js';

export async function probeWebhookDestination(options: WebhookOptions, ctx: ProbeContext, lookup?: LookupAll): Promise<ProbeResult> {
  const warnings: string[] = [];
  if (!options.secrets?.length) {
    throw new GatewayError('GW_NOT_CONFIGURED', `${ctx.provider}: no signing secret is configured (option secrets)`, {
      provider: ctx.provider,
    });
  }
  if (!options.url) {
    return {
      metadata: { checked: false },
      warnings: ['No default url is configured: each request must carry its own url, so there is nothing to check'],
    };
  }
  if (options.allowHttp && options.url.startsWith('http:'))
    warnings.push('The destination uses plain http: deliveries are signed but not encrypted');
  const dest = await checkDestination(options.url, options, { provider: ctx.provider, signal: ctx.signal, lookup });
  const target = dest.addresses[0]!;
  const secure = dest.url.protocol === 'https:';
  const port = Number(dest.url.port || (secure ? 443 : 80));
  const hostname = dest.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const socket: Socket = secure
      ? tlsConnect({ host: target.address, port, ...(isIP(hostname) ? {} : { servername: hostname }) })
      : tcpConnect({ host: target.address, port });
    const onAbort = (): void => done(new Error('aborted'));
    const done = (error?: Error): void => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (!error) return resolve();
      const code = (error as { code?: string }).code ?? error.name;
      if (ctx.signal.aborted) {
        reject(
          new GatewayError('GW_PROVIDER_TIMEOUT', `${dest.display}: no connection before the probe deadline`, { provider: ctx.provider }),
        );
      } else {
        reject(
          new GatewayError('GW_PROVIDER_TRANSIENT', `${dest.display}: cannot connect (${code})`, {
            provider: ctx.provider,
            details: { networkCode: code },
          }),
        );
      }
    };
    socket.once(secure ? 'secureConnect' : 'connect', () => done());
    socket.once('error', done);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  return { metadata: { destination: dest.display, address: target.address, tls: secure, connectMs: Date.now() - started }, warnings };
}
