/**
 * Provider-level recommendation rules: one failure kind (or condition) in, one concrete action
 * out. Actions name config keys and environment variables, never values.
 */
import type { FailureKind } from '../../core/errors.js';
import type { RecommendationInput, Severity } from '../types.js';
import { duration, hintFor, iso, optionsPath, type ProviderRuleContext } from './rule-context.js';

interface CurrentFailure {
  kind: FailureKind;
  code: string;
  message: string;
  at: number;
  retryAfterMs?: number;
  /** The provider option at fault (misconfigured). */
  option?: string;
}

export function providerRecommendations(ctx: ProviderRuleContext): RecommendationInput[] {
  const out: RecommendationInput[] = [];
  const add = (issueKey: string, severity: Severity, issue: string, action: string): void => {
    out.push({ provider: ctx.provider, capability: ctx.capability, issueKey, severity, health: ctx.status.health, issue, action });
  };
  const failure = currentFailure(ctx);

  if (!ctx.status.configured || ctx.probe?.skipped === 'not_configured' || failure?.kind === 'not_configured') {
    // The exact option paths first (with the unset variable when the option came from one), then the type's advice.
    const named = ctx.missingSetting ? ctx.missingSetting.split(', ') : ctx.facts.required;
    const fields = named.length
      ? named.map((f) => (f.startsWith('capabilities.') ? f : optionsPath(ctx, f.replace(/^options\./, '')))).join(', ')
      : optionsPath(ctx);
    const hint = hintFor(ctx, 'not_configured');
    add(
      'not_configured',
      ctx.index === 0 ? 'warning' : 'info',
      `Not configured${failure?.kind === 'not_configured' ? `: ${failure.message}` : ''}; excluded from routing`,
      `Set ${fields}${hint ? `. ${hint}` : ' (use ${ENV} interpolation for secrets).'}`,
    );
    return out;
  }

  if (failure) {
    const what = `${failure.code}: ${failure.message}`;
    switch (failure.kind) {
      case 'auth': {
        const vars = ctx.optionVariables ?? {};
        const keys = ctx.facts.secrets.map((s) => `${optionsPath(ctx, s)}${vars[s] ? ` (from \${${vars[s]}})` : ''}`);
        const where = keys.length ? `Check or rotate ${keys.join(', ')}.` : `Check the credentials under ${optionsPath(ctx)}.`;
        add('auth', 'critical', `Credentials refused (${what})`, joinAdvice(hintFor(ctx, 'auth'), where));
        break;
      }
      case 'misconfigured': {
        const option = failure.option ? optionsPath(ctx, failure.option) : optionsPath(ctx);
        add(
          'misconfigured',
          'critical',
          `Provider misconfigured (${what})`,
          joinAdvice(
            hintFor(ctx, 'misconfigured'),
            `Fix ${option}; the chain fails over meanwhile. After the change, reload the config or run \`aicmo-gateway provider reset ${ctx.provider}\`.`,
          ),
        );
        break;
      }
      case 'rate_limited': {
        const until = ctx.status.cooldownUntil ?? (failure.retryAfterMs !== undefined ? failure.at + failure.retryAfterMs : null);
        const clears =
          until !== null && until > ctx.now ? `clears at ${iso(until)} (in ${duration(until - ctx.now)})` : 'reset time unknown';
        const meanwhile = ctx.usableOthers.length
          ? `${ctx.usableOthers.join(', ')} serve(s) meanwhile.`
          : 'No other provider is usable meanwhile.';
        add('rate_limited', 'warning', `Rate limited by the provider; ${clears}`, joinAdvice(hintFor(ctx, 'rate_limited'), meanwhile));
        break;
      }
      case 'quota': {
        const until = ctx.status.cooldownUntil;
        const when = until !== null && until > ctx.now ? ` until ${iso(until)}` : '';
        add(
          'quota',
          'warning',
          `Quota or credits exhausted (${what}); unavailable${when}`,
          hintFor(ctx, 'quota') ?? `Refill the credits or raise the plan limit of ${ctx.provider} in the provider's dashboard.`,
        );
        break;
      }
      case 'timeout': {
        const latency = ctx.probe?.latencyMs ?? ctx.status.latencyMs;
        add(
          'timeout',
          'warning',
          `Timed out${latency !== null && latency !== undefined ? ` after ${Math.round(latency)} ms` : ''} (threshold ${ctx.slowThresholdMs} ms)`,
          hintFor(ctx, 'timeout') ??
            `Check the reachability of ${ctx.provider}; raise attemptTimeoutMs only if the provider is known to be slow.`,
        );
        break;
      }
      case 'transient':
      case 'unknown_outcome': {
        const run = failingRun(ctx);
        // One recommendation per fault episode: a burst escalates it (warning -> critical) rather than opening another.
        if (run.count >= ctx.burstThreshold) {
          add(
            'transient',
            'critical',
            `Outage suspected since ${iso(run.since ?? failure.at)}: ${run.count} consecutive failures (${what})`,
            hintFor(ctx, 'transient') ?? `Check the provider's status page; the chain fails over meanwhile.`,
          );
        } else {
          add(
            'transient',
            'warning',
            `Failing (${what})`,
            hintFor(ctx, 'transient') ?? `Watch the next checks; the chain fails over meanwhile.`,
          );
        }
        break;
      }
      case 'invalid_request':
      case 'rejected_local':
        break;
    }
  } else {
    const latency = ctx.status.p95Ms ?? ctx.status.latencyMs;
    if (latency !== null && latency > ctx.slowThresholdMs) {
      add(
        'slow',
        'warning',
        `Slow: p95 ${Math.round(latency)} ms over the ${ctx.slowThresholdMs} ms threshold`,
        hintFor(ctx, 'slow') ?? `Check the network path to ${ctx.provider}; a lowest_latency strategy routes around it.`,
      );
    }
  }

  if (ctx.probe?.skipped === 'no_probe') {
    add(
      'no_probe',
      'info',
      'Has no probe: health is known from live traffic only',
      hintFor(ctx, 'no_probe') ?? 'Nothing to fix; watch its live success rate.',
    );
  }
  if (ctx.probe?.warnings?.length) {
    add(
      'probe_warning',
      'info',
      `Probe passed with warnings: ${ctx.probe.warnings.join('; ')}`,
      hintFor(ctx, 'insecure') ?? `Review ${optionsPath(ctx)}.`,
    );
  }
  if (ctx.status.breakerState === 'isolated') {
    add(
      'isolated',
      'info',
      'Isolated by an operator: receives no traffic',
      'Reset it from the CLI or the admin API when the incident is over.',
    );
  }
  return out;
}

function joinAdvice(hint: string | undefined, extra: string): string {
  return hint ? `${hint} ${extra}` : extra;
}

/**
 * The failure the provider is in now: this run's failed probe first, then the engine's last
 * error if newer than its last success. A passing probe does not clear a failure by itself:
 * the engine records it as a success only when it may decide (no real call failed in this
 * episode), so real traffic keeps the last word and the recommendation does not flap.
 */
function currentFailure(ctx: ProviderRuleContext): CurrentFailure | undefined {
  const p = ctx.probe;
  if (p && p.skipped === undefined && !p.success && p.error) return { ...p.error, at: p.timestamp };
  const s = ctx.status;
  if (s.cooldownUntil !== null && s.cooldownUntil > ctx.now && s.cooldownKind) {
    const e = s.lastError;
    if (e && e.kind === s.cooldownKind) return { ...e };
    return { kind: s.cooldownKind, code: 'GW_COOLING_DOWN', message: 'cooling down', at: ctx.now };
  }
  const e = s.lastError;
  if (e && (s.lastSuccessAt === null || e.at > s.lastSuccessAt)) return { ...e };
  return undefined;
}

/** How many of the newest checks failed in a row, and since when. */
function failingRun(ctx: ProviderRuleContext): { count: number; since: number | null } {
  let count = 0;
  let since: number | null = null;
  for (const c of ctx.history) {
    if (c.skipped !== undefined) continue;
    if (c.success) break;
    count++;
    since = c.timestamp;
  }
  if (ctx.status.consecutiveFailures > count) {
    count = ctx.status.consecutiveFailures;
    since = ctx.status.failingSince ?? since;
  }
  return { count, since };
}
