import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { localVerifierType } from '../../../src/providers/local-verifier/index.js';
import type { LocalVerifier } from '../../../src/providers/local-verifier/local-verifier.js';
import { startDnsServer, type DnsTestServer } from '../../harness/dns-server.js';
import { invokeCtx, testDeps } from '../../helpers/context.js';

let dns: DnsTestServer;
let smtp: SMTPServer;
let smtpPort: number;
let catchAll = false;
let hangRcpt = false;
const commands: string[] = [];
let dataCalls = 0;

const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

beforeAll(async () => {
  dns = await startDnsServer();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(address, _session, cb) {
      commands.push(`MAIL ${address.address}`);
      cb();
    },
    onRcptTo(address, _session, cb) {
      commands.push(`RCPT ${address.address}`);
      const local = address.address.split('@')[0]!;
      if (hangRcpt) return;
      if (local === 'jane') return cb();
      if (local === 'grey') return cb(smtpError(451, '4.7.1 Greylisted, try again later'));
      if (local === 'blocked') return cb(smtpError(554, '5.7.1 Client host rejected'));
      if (catchAll) return cb();
      cb(smtpError(550, '5.1.1 No such user'));
    },
    onData(stream, _session, cb) {
      dataCalls++;
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await dns.close();
});

const verifier = (smtpOptions: Record<string, unknown> = {}): LocalVerifier =>
  localVerifierType.create(
    'local_smtp',
    localVerifierType.options.parse({
      dns: { servers: [dns.server], timeoutMs: 300, tries: 1 },
      smtpProbe: true,
      smtp: { port: smtpPort, heloName: 'verifier.test', mailFrom: 'probe@verifier.test', timeoutMs: 2_000, ...smtpOptions },
    }),
    testDeps(),
  ) as LocalVerifier;

describe('local verifier: SMTP RCPT probe (smtp-server)', () => {
  it('accepted mailbox: deliverable; the random catch-all RCPT is refused', async () => {
    commands.length = 0;
    const r = await verifier().invoke({ email: 'jane@smtp.test' }, invokeCtx());
    expect(r).toMatchObject({ status: 'deliverable', reasons: ['mx_found', 'smtp_accepted'], mx: ['mx1.smtp.test'] });
    expect(commands[0]).toBe('MAIL probe@verifier.test');
    expect(commands[1]).toBe('RCPT jane@smtp.test');
    expect(commands[2]).toMatch(/^RCPT [0-9a-f]{20}@smtp\.test$/);
    expect(commands).toHaveLength(3);
  });

  it('unknown mailbox (550 5.1.1): undeliverable', async () => {
    expect(await verifier().invoke({ email: 'nobody@smtp.test' }, invokeCtx())).toMatchObject({
      status: 'undeliverable',
      reasons: ['mx_found', 'smtp_rejected'],
    });
  });

  it('accept-all domain: risky', async () => {
    catchAll = true;
    try {
      expect(await verifier().invoke({ email: 'jane@smtp.test' }, invokeCtx())).toMatchObject({
        status: 'risky',
        reasons: ['mx_found', 'accept_all'],
      });
    } finally {
      catchAll = false;
    }
  });

  it('greylisting (451) and policy refusals (554 5.7.1) are inconclusive: unknown', async () => {
    for (const email of ['grey@smtp.test', 'blocked@smtp.test']) {
      expect(await verifier().invoke({ email }, invokeCtx()), email).toMatchObject({
        status: 'unknown',
        reasons: ['mx_found', 'smtp_inconclusive'],
      });
    }
  });

  it('an unreachable mail host leaves the DNS verdict with a reason', async () => {
    const r = await verifier({ port: 1 }).invoke({ email: 'jane@smtp.test' }, invokeCtx());
    expect(r).toMatchObject({ status: 'deliverable', reasons: ['mx_found', 'smtp_unreachable'] });
  });

  it('a server that stops answering is abandoned at the attempt deadline (timeout kind)', async () => {
    hangRcpt = true;
    try {
      const started = Date.now();
      const e = await verifier({ timeoutMs: 30_000 })
        .invoke({ email: 'jane@smtp.test' }, invokeCtx({ timeoutMs: 300 }))
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(e).toMatchObject({ code: 'GW_PROVIDER_TIMEOUT', kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      hangRcpt = false;
    }
  });

  it('never issues DATA', () => {
    expect(dataCalls).toBe(0);
  });
});
