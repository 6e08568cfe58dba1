/** The webhook probe over https: a TLS handshake that verifies the certificate, with no HTTP request. */
import { createServer, type Server } from 'node:https';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/errors.js';
import { createWebhookProvider } from '../../../src/providers/webhook/adapter.js';
import { webhookOptions } from '../../../src/providers/webhook/options.js';
import { probeCtx, testDeps } from '../../helpers/context.js';
import { newSecret } from './fixtures.js';

describe('webhook probe over https', () => {
  let server: Server;
  let port = 0;
  let requests = 0;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    server = createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies the certificate: an untrusted self-signed one fails the probe, and no request is sent', async () => {
    const options = webhookOptions.parse({ url: `https://127.0.0.1:${port}/hook`, secrets: [newSecret()], allowHosts: ['127.0.0.1'] });
    const error = await createWebhookProvider('hook', options, testDeps()).probe!(probeCtx()).then(
      () => undefined,
      (e: unknown) => e as GatewayError,
    );
    expect(error?.code).toBe('GW_PROVIDER_TRANSIENT');
    expect(error?.details?.networkCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(requests).toBe(0);
  });
});
