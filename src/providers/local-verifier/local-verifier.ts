/**
 * The embedded email verifier: syntax (RFC 5321/5322 limits, IDN), DNS mail routing (MX, null MX,
 * implicit MX), disposable / role / free-provider lists, and optionally an SMTP RCPT probe.
 * No third party is involved; DNS failures are transient, never a verdict on the address.
 */
import type {
  EmailVerificationBatchResult,
  EmailVerificationRequest,
  EmailVerificationResult,
} from '../../capabilities/email-verification.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { verifyEach } from '../batches.js';
import { disposableListSize, isDisposableDomain } from './disposable-domains.js';
import { FREE_PROVIDER_DOMAINS } from './free-providers.js';
import { checkMailbox, type MailboxFinding } from './mailbox-check.js';
import { MailDns } from './mail-dns.js';
import type { LocalVerifierOptions } from './options.js';
import { isRoleLocalPart } from './role-accounts.js';
import { checkSyntax } from './syntax.js';

type Status = EmailVerificationResult['status'];

export class LocalVerifier implements Provider<EmailVerificationRequest, EmailVerificationResult | EmailVerificationBatchResult> {
  readonly type = 'local_verifier';
  private readonly dns: MailDns;

  constructor(
    readonly name: string,
    private readonly options: LocalVerifierOptions,
  ) {
    this.dns = new MailDns(options.dns, name);
  }

  /** One address, or each of `emails` in turn. */
  async invoke(request: EmailVerificationRequest, ctx: InvokeContext): Promise<EmailVerificationResult | EmailVerificationBatchResult> {
    if (request.emails) return verifyEach(request.emails, (email) => this.verify(email, ctx));
    return this.verify(request.email!, ctx);
  }

  private async verify(given: string, ctx: InvokeContext): Promise<EmailVerificationResult> {
    const email = given.trim();
    const syntax = checkSyntax(email);
    if (!syntax.ok) return { email, status: 'undeliverable', reasons: ['syntax', syntax.problem] };
    const address = syntax.address;
    const domain = address.asciiDomain;
    const flags = {
      disposable: !address.literal && isDisposableDomain(domain, this.options.extraDisposableDomains),
      role: !address.quoted && isRoleLocalPart(address.local),
      freeProvider: FREE_PROVIDER_DOMAINS.has(domain),
    };
    const risks: string[] = [];
    if (address.quoted) risks.push('quoted_local_part');
    if (address.utf8Local) risks.push('smtputf8_local_part');
    if (flags.disposable) risks.push('disposable');
    if (flags.role) risks.push('role');
    const info = flags.freeProvider ? ['free_provider'] : [];
    if (address.literal) return { email, status: 'risky', reasons: ['address_literal', ...risks, ...info], ...flags };

    const route = await this.dns.route(domain, ctx.signal);
    if (route.kind === 'nxdomain' || route.kind === 'null_mx' || route.kind === 'no_mx_or_a') {
      return { email, status: 'undeliverable', reasons: [route.kind, ...risks, ...info], ...flags };
    }
    const mx = route.kind === 'mx' ? route.mx : [domain];
    const found = route.kind === 'mx' ? 'mx_found' : 'implicit_mx';
    let mailbox: MailboxFinding | undefined;
    if (this.options.smtpProbe) {
      mailbox = await checkMailbox(route, email, domain, this.options.smtp, this.dns, ctx.signal, this.name);
    }
    const status = this.decide(risks, flags.disposable, mailbox);
    ctx.logger.debug({ domain, status, smtpProbe: this.options.smtpProbe }, 'email verified locally');
    return {
      email,
      status,
      reasons: [found, ...risks, mailbox?.reason ?? 'smtp_not_checked', ...info],
      ...flags,
      mx,
    };
  }

  /** Worst wins: undeliverable, then risky, then unknown, then deliverable. */
  private decide(risks: readonly string[], disposable: boolean, mailbox: MailboxFinding | undefined): Status {
    if (mailbox?.status === 'undeliverable') return 'undeliverable';
    if (disposable && this.options.disposableStatus === 'undeliverable') return 'undeliverable';
    if (risks.length > 0 || mailbox?.status === 'risky') return 'risky';
    if (mailbox?.status === 'unknown') return 'unknown';
    return 'deliverable';
  }

  /** Resolves the probe domain's MX through the configured servers: DNS health, nothing else. */
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const domain = this.options.probeDomain;
    const route = await this.dns.route(domain, ctx.signal);
    if (route.kind !== 'mx') {
      throw new GatewayError(
        'GW_PROVIDER_TRANSIENT',
        `DNS answers that ${domain} has no usable MX (${route.kind}): the resolver looks broken`,
        {
          provider: this.name,
          details: { providerCode: 'probe_domain_unresolved', answer: route.kind },
        },
      );
    }
    return {
      metadata: {
        probeDomain: domain,
        mxCount: route.mx.length,
        dnsServers: this.options.dns.servers ?? 'system',
        disposableDomains: disposableListSize(),
        smtpProbe: this.options.smtpProbe,
      },
    };
  }
}
