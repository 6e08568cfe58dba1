/** Refuses to expose an unauthenticated API: binding beyond loopback needs at least one key. */
import { isIP } from 'node:net';
import { GatewayError } from '../core/errors.js';

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

/** Throws GW_CONFIG_INVALID when `host` is not loopback and no API or admin key is configured. */
export function assertSafeBind(host: string, keysConfigured: boolean): void {
  if (keysConfigured || isLoopbackHost(host)) return;
  const message =
    `Refusing to listen on ${host} without authentication: set server.apiKeys (and server.adminKeys for operator actions) ` +
    `in the config, or bind to 127.0.0.1.`;
  throw new GatewayError('GW_CONFIG_INVALID', message, {
    details: { problems: [{ path: 'server.apiKeys', message: `required when server.host is ${host}` }] },
  });
}
