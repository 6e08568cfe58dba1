/** Opens an authenticated imapflow connection for one operation, closed when the signal fires. */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ConnectionOptions } from 'node:tls';
import { isTokenAuth } from '../smtp/mail-auth.js';
import type { ImapConfig } from './options.js';

export interface OpenClient {
  client: ImapFlow;
  /** Detaches the abort listener and ends the connection (LOGOUT when still usable). */
  release: () => Promise<void>;
}

export async function openClient(cfg: ImapConfig & { host: string }, signal: AbortSignal): Promise<OpenClient> {
  if (signal.aborted) throw Object.assign(new Error('aborted before connecting'), { code: 'EABORT' });
  const tls: ConnectionOptions = { rejectUnauthorized: !cfg.allowInsecure, minVersion: 'TLSv1.2' };
  if (cfg.ca) tls.ca = cfg.ca;
  if (cfg.servername) tls.servername = cfg.servername;
  const options: ImapFlowOptions = {
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    tls,
    logger: false,
    emitLogs: false,
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: cfg.connectionTimeoutMs,
    greetingTimeout: cfg.greetingTimeoutMs,
    socketTimeout: cfg.socketTimeoutMs,
  };
  if (!cfg.secure && cfg.requireTLS) options.doSTARTTLS = true;
  if (cfg.auth)
    options.auth = isTokenAuth(cfg.auth)
      ? { user: cfg.auth.user, accessToken: cfg.auth.accessToken }
      : { user: cfg.auth.user, pass: cfg.auth.pass };
  const client = new ImapFlow(options);
  // imapflow emits 'error' for connection failures; they surface through the pending call.
  client.on('error', () => undefined);
  const onAbort = (): void => client.close();
  signal.addEventListener('abort', onAbort, { once: true });
  const release = async (): Promise<void> => {
    signal.removeEventListener('abort', onAbort);
    if (client.usable) await client.logout().catch(() => client.close());
    else client.close();
  };
  try {
    await client.connect();
  } catch (error) {
    await release();
    throw error;
  }
  return { client, release };
}
