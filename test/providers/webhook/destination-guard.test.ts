import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/errors.js';
import { createWebhookProvider } from '../../../src/providers/webhook/adapter.js';
import { checkDestination, type DestinationPolicy, type LookupAll } from '../../../src/providers/webhook/destination-guard.js';
import { webhookOptions } from '../../../src/providers/webhook/options.js';
import { errorText, invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { start, type WebhookReceiver } from '../../simulators/webhook-receiver.js';
import { newSecret, PATH_TOKEN, receiverOptions } from './fixtures.js';

const STRICT: DestinationPolicy = { allowHttp: false, allowPrivate: false, allowHosts: [] };
const ctx = (lookup?: LookupAll) => ({ provider: 'hook', signal: AbortSignal.timeout(2_000), lookup });
const refusal = (url: string, policy: DestinationPolicy = STRICT, lookup?: LookupAll) =>
  checkDestination(url, policy, ctx(lookup)).then(
    () => undefined,
    (e: unknown) => e as GatewayError,
  );
const fakeDns =
  (map: Record<string, string[]>): LookupAll =>
  async (host) => {
    const found = map[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('destination guard', () => {
  it.each([
    ['https://127.0.0.1/h', 'loopback'],
    ['https://10.0.0.1/h', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link_local'],
    ['https://[::1]/h', 'loopback'],
    ['https://[::ffff:169.254.169.254]/h', 'link_local'],
    ['https://100.64.0.1/h', 'cgnat'],
    ['https://0.0.0.0/h', 'unspecified'],
    ['https://[fd12::1]/h', 'private'],
    ['https://[fe80::1]/h', 'link_local'],
  ])('refuses %s (%s) without an allow-list', async (url, reason) => {
    const error = await refusal(url);
    expect(error?.code).toBe('GW_DESTINATION_REFUSED');
    expect(error?.kind).toBe('invalid_request');
    expect(error?.details?.reason).toBe(reason);
  });

  it('allows 127.0.0.1 when allow-listed (address or CIDR), and nothing else with it', async () => {
    expect(await refusal('https://127.0.0.1/h', { ...STRICT, allowHosts: ['127.0.0.1'] })).toBeUndefined();
    expect(await refusal('https://127.0.0.5/h', { ...STRICT, allowHosts: ['127.0.0.0/8'] })).toBeUndefined();
    expect((await refusal('https://10.0.0.1/h', { ...STRICT, allowHosts: ['127.0.0.1'] }))?.code).toBe('GW_DESTINATION_REFUSED');
  });

  it('checks every resolved address of a host name', async () => {
    const dns = fakeDns({
      'hooks.example.test': ['93.184.216.34', '10.1.2.3'],
      'public.example.test': ['93.184.216.34', '2606:2800:220:1::1'],
    });
    expect((await refusal('https://hooks.example.test/h', STRICT, dns))?.details).toMatchObject({ reason: 'private', address: '10.1.2.3' });
    expect(await refusal('https://public.example.test/h', STRICT, dns)).toBeUndefined();
    expect(await refusal('https://hooks.example.test/h', { ...STRICT, allowHosts: ['hooks.example.test'] }, dns)).toBeUndefined();
    expect((await refusal('https://missing.example.test/h', STRICT, dns))?.kind).toBe('transient');
  });

  it('localhost resolves to loopback and is refused', async () => {
    expect((await refusal('https://localhost:9/h'))?.details?.reason).toBe('loopback');
  });

  it('allowPrivate permits private and CGNAT ranges, never loopback or link-local', async () => {
    const policy = { ...STRICT, allowPrivate: true };
    expect(await refusal('https://10.0.0.1/h', policy)).toBeUndefined();
    expect(await refusal('https://100.64.0.1/h', policy)).toBeUndefined();
    expect((await refusal('https://127.0.0.1/h', policy))?.code).toBe('GW_DESTINATION_REFUSED');
    expect((await refusal('https://169.254.169.254/h', policy))?.code).toBe('GW_DESTINATION_REFUSED');
  });

  it('requires https unless allowHttp', async () => {
    const dns = fakeDns({ 'public.example.test': ['93.184.216.34'] });
    expect((await refusal('http://public.example.test/h', STRICT, dns))?.details?.reason).toBe('insecure_scheme');
    expect(await refusal('http://public.example.test/h', { ...STRICT, allowHttp: true }, dns)).toBeUndefined();
  });
});

describe('destination guard in the webhook provider', () => {
  let receiver: WebhookReceiver;
  const secret = newSecret();
  const send = (options: ReturnType<typeof webhookOptions.parse>, url?: string) =>
    createWebhookProvider('hook', options, testDeps())
      .invoke({ event: 'e.x', payload: {}, ...(url ? { url } : {}) }, invokeCtx({ provider: 'hook', capability: 'webhook_dispatch' }))
      .then(
        (r) => r,
        (e: unknown) => e as GatewayError,
      );

  beforeAll(async () => {
    receiver = await start({ secrets: [secret] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('refuses the loopback receiver without allow-list and reaches it with one', async () => {
    const refused = (await send(receiverOptions(receiver.url, [secret], { allowHosts: [] }))) as GatewayError;
    expect(refused.code).toBe('GW_DESTINATION_REFUSED');
    expect(errorText(refused)).not.toContain(PATH_TOKEN);
    expect(receiver.requests).toHaveLength(0);
    expect(await send(receiverOptions(receiver.url, [secret]))).toMatchObject({ status: 200 });
  });

  it('refuses http:// without allowHttp, before any request', async () => {
    const error = (await send(receiverOptions(receiver.url, [secret], { allowHttp: false }))) as GatewayError;
    expect([error.code, error.details?.reason]).toEqual(['GW_DESTINATION_REFUSED', 'insecure_scheme']);
    expect(receiver.requests).toHaveLength(0);
  });

  it('a request url is refused unless allowRequestUrl, and is guarded when allowed', async () => {
    const fixed = receiverOptions(receiver.url, [secret]);
    expect(((await send(fixed, `${receiver.url}/other`)) as GatewayError).details?.reason).toBe('request_url_not_allowed');
    const open = receiverOptions(receiver.url, [secret], { allowRequestUrl: true });
    expect(await send(open, `${receiver.url}/other`)).toMatchObject({ status: 200 });
    expect(receiver.requests.at(-1)?.path).toBe('/other');
    expect(((await send(open, 'https://169.254.169.254/latest')) as GatewayError).code).toBe('GW_DESTINATION_REFUSED');
  });

  it('probe connects without sending a request, and refuses a guarded destination', async () => {
    const ok = await createWebhookProvider('hook', receiverOptions(receiver.url, [secret]), testDeps()).probe!(probeCtx());
    expect(ok?.metadata).toMatchObject({ address: '127.0.0.1', tls: false });
    expect(ok?.warnings?.some((w) => w.includes('plain http'))).toBe(true);
    expect(receiver.requests).toHaveLength(0);
    const guarded = await createWebhookProvider('hook', receiverOptions(receiver.url, [secret], { allowHosts: [] }), testDeps()).probe!(
      probeCtx(),
    ).catch((e: unknown) => e as GatewayError);
    expect((guarded as GatewayError).code).toBe('GW_DESTINATION_REFUSED');
  });
});
