/** Shared fixtures for the webhook tests: secrets, a receiver-backed provider options object, a closed port. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { WebhookOptions } from '../../../src/providers/webhook/options.js';
import { webhookOptions } from '../../../src/providers/webhook/options.js';

export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A URL path token, as Zapier/Make hook URLs carry: it must never appear in errors. */
export const PATH_TOKEN = 'pAtHt0kEn9f8e7d6';

export function receiverOptions(receiverUrl: string, secrets: string[], over: Record<string, unknown> = {}): WebhookOptions {
  return webhookOptions.parse({
    url: `${receiverUrl}/hooks/catch/42/${PATH_TOKEN}/`,
    secrets,
    allowHttp: true,
    allowHosts: ['127.0.0.1'],
    ...over,
  });
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
