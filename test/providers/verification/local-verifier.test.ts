import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailVerificationResult } from '../../../src/capabilities/email-verification.js';
import { GatewayError } from '../../../src/core/errors.js';
import { localVerifierType } from '../../../src/providers/local-verifier/index.js';
import type { LocalVerifier } from '../../../src/providers/local-verifier/local-verifier.js';
import { startDnsServer, type DnsTestServer } from '../../harness/dns-server.js';
import { invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';

let dns: DnsTestServer;

const verifier = (extra: Record<string, unknown> = {}, servers?: string[]): LocalVerifier =>
  localVerifierType.create(
    'local_test',
    localVerifierType.options.parse({
      dns: { servers: servers ?? [dns.server], timeoutMs: 300, tries: 1 },
      probeDomain: 'mx.test',
      ...extra,
    }),
    testDeps(),
  ) as LocalVerifier;

const verify = async (email: string, v = verifier(), timeoutMs = 5_000) => {
  const parsed = emailVerificationResult.safeParse(await v.invoke({ email }, invokeCtx({ timeoutMs })));
  expect(parsed.success).toBe(true);
  return parsed.data!;
};
const failure = (email: string, v = verifier(), timeoutMs = 5_000): Promise<GatewayError> =>
  v.invoke({ email }, invokeCtx({ timeoutMs })).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: GatewayError) => e,
  );

beforeAll(async () => {
  dns = await startDnsServer();
});
afterAll(async () => {
  await dns.close();
});
beforeEach(() => dns.mode(undefined));

describe('local verifier: DNS', () => {
  it('Node returns the null MX exchange as an empty string', async () => {
    const r = new Resolver({ timeout: 300, tries: 1 });
    r.setServers([dns.server]);
    expect(await r.resolveMx('nullmx.test')).toEqual([{ exchange: '', priority: 0 }]);
  });

  it('MX found: deliverable, exchanges by preference', async () => {
    const r = await verify('jane@mx.test');
    expect(r).toMatchObject({
      status: 'deliverable',
      mx: ['mail.mx.test', 'backup.mx.test'],
      disposable: false,
      role: false,
      freeProvider: false,
    });
    expect(r.reasons).toEqual(['mx_found', 'smtp_not_checked']);
  });

  it('null MX (RFC 7505): undeliverable', async () => {
    expect(await verify('jane@nullmx.test')).toMatchObject({ status: 'undeliverable', reasons: ['null_mx'] });
  });

  it('a null MX next to real MX records is ignored', async () => {
    expect(await verify('jane@mixed-null.test')).toMatchObject({ status: 'deliverable', mx: ['mail.mx.test'] });
  });

  it('no MX but A/AAAA: implicit MX, deliverable', async () => {
    expect(await verify('jane@aonly.test')).toMatchObject({
      status: 'deliverable',
      mx: ['aonly.test'],
      reasons: ['implicit_mx', 'smtp_not_checked'],
    });
  });

  it('no MX and no A/AAAA: undeliverable', async () => {
    expect(await verify('jane@nomail.test')).toMatchObject({ status: 'undeliverable', reasons: ['no_mx_or_a'] });
  });

  it('NXDOMAIN: undeliverable', async () => {
    expect(await verify('jane@nowhere.test')).toMatchObject({ status: 'undeliverable', reasons: ['nxdomain'] });
  });

  it.each([
    ['SERVFAIL', 'jane@servfail.test', 'ESERVFAIL'],
    ['REFUSED', 'jane@refused.test', 'EREFUSED'],
    ['no answer (resolver timeout)', 'jane@hang.test', 'ETIMEOUT'],
  ])('%s is transient, not a verdict', async (_label, email, code) => {
    const e = await failure(email);
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ code: 'GW_PROVIDER_TRANSIENT', kind: 'transient', details: { dnsCode: code } });
  });

  it('a DNS server that is not listening (ECONNREFUSED) is transient', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const port = sock.address().port;
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    const e = await failure('jane@mx.test', verifier({}, [`127.0.0.1:${port}`]));
    expect(e).toMatchObject({ kind: 'transient', details: { providerCode: 'dns_failure' } });
    expect(['ECONNREFUSED', 'ETIMEOUT']).toContain(e.details?.dnsCode);
  });

  it('the attempt signal cancels a pending lookup (timeout kind), without cancelling other attempts', async () => {
    const v = localVerifierType.create(
      'local_test',
      localVerifierType.options.parse({ dns: { servers: [dns.server], timeoutMs: 10_000, tries: 1 } }),
      testDeps(),
    ) as LocalVerifier;
    const started = Date.now();
    const [hung, fine] = await Promise.all([failure('jane@hang.test', v, 200), verify('jane@mx.test', v)]);
    expect(hung).toMatchObject({ code: 'GW_PROVIDER_TIMEOUT', kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fine.status).toBe('deliverable');
  });
});

describe('local verifier: address checks', () => {
  it('syntax failures are undeliverable without any DNS query', async () => {
    const before = dns.queries.length;
    expect(await verify(`${'a'.repeat(65)}@mx.test`)).toEqual({
      email: `${'a'.repeat(65)}@mx.test`,
      status: 'undeliverable',
      reasons: ['syntax', 'local_part_too_long'],
    });
    expect(await verify('jane..doe@mx.test')).toMatchObject({ reasons: ['syntax', 'local_part_invalid'] });
    expect(dns.queries.length).toBe(before);
  });

  it('disposable domains are risky by default, undeliverable when configured', async () => {
    expect(await verify('x@mailinator.com')).toMatchObject({
      status: 'risky',
      disposable: true,
      reasons: ['mx_found', 'disposable', 'smtp_not_checked'],
    });
    expect(await verify('x@mailinator.com', verifier({ disposableStatus: 'undeliverable' }))).toMatchObject({ status: 'undeliverable' });
    expect(await verify('x@mx.test', verifier({ extraDisposableDomains: ['mx.test'] }))).toMatchObject({
      status: 'risky',
      disposable: true,
    });
  });

  it('role addresses are risky with the reason', async () => {
    for (const email of ['info@mx.test', 'Support+eu@mx.test', 'postmaster@mx.test', 'no-reply@mx.test']) {
      expect(await verify(email), email).toMatchObject({ status: 'risky', role: true, reasons: ['mx_found', 'role', 'smtp_not_checked'] });
    }
  });

  it('free providers are flagged without changing the status', async () => {
    expect(await verify('jane@gmail.com')).toMatchObject({
      status: 'deliverable',
      freeProvider: true,
      reasons: ['mx_found', 'smtp_not_checked', 'free_provider'],
    });
  });

  it('IDN domains are looked up in A-label form', async () => {
    expect(await verify('jane@Bücher.test')).toMatchObject({ status: 'deliverable', mx: ['mail.mx.test'] });
    expect(dns.queries.some((q) => q.name === 'xn--bcher-kva.test')).toBe(true);
  });

  it('quoted local parts are legal but risky; address literals are risky and not looked up', async () => {
    expect(await verify('"john doe"@mx.test')).toMatchObject({
      status: 'risky',
      reasons: ['mx_found', 'quoted_local_part', 'smtp_not_checked'],
    });
    const before = dns.queries.length;
    expect(await verify('jane@[192.0.2.1]')).toMatchObject({ status: 'risky', reasons: ['address_literal'] });
    expect(dns.queries.length).toBe(before);
  });
});

describe('local verifier: probe', () => {
  it('resolves the probe domain through the configured server', async () => {
    const ok = await verifier().probe(probeCtx());
    expect(ok.metadata).toMatchObject({ probeDomain: 'mx.test', mxCount: 2, dnsServers: [dns.server], smtpProbe: false });
    expect(ok.metadata?.disposableDomains).toBeGreaterThan(1000);
  });

  it('fails transient when DNS fails or the probe domain has no MX', async () => {
    dns.mode('servfail');
    await expect(verifier().probe(probeCtx())).rejects.toMatchObject({ kind: 'transient', details: { dnsCode: 'ESERVFAIL' } });
    dns.mode(undefined);
    await expect(verifier({ probeDomain: 'nowhere.test' }).probe(probeCtx())).rejects.toMatchObject({
      kind: 'transient',
      details: { providerCode: 'probe_domain_unresolved', answer: 'nxdomain' },
    });
  });
});
