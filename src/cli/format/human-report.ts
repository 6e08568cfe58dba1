/**
 * The human self-check report: header, Configuration, RESULTS, CAPABILITIES, RECENT CHECKS,
 * OPERATOR RECOMMENDATIONS, END OF REPORT. Deterministic for a given report (golden-tested).
 */
import type { CapabilityReport, HealthCheckResult, ProviderRecommendation, StatusReport } from '../../monitoring/types.js';
import type { Palette } from './colors.js';
import { isoTime, ms, pad, percent } from './text.js';

export interface ReportContext {
  /** `full check` or `status from store`. */
  source: string;
  mode: string;
  configFile: string;
  store: string;
  exitCode: number;
}

const RULE = '='.repeat(72);

export function formatHumanReport(report: StatusReport, ctx: ReportContext, c: Palette): string {
  const out: string[] = [];
  out.push(RULE, c.bold(`AICMO Gateway self-check  ${isoTime(report.generatedAt)}  (${ctx.source})`), RULE, '');
  out.push(c.bold('Configuration'));
  out.push(`  Mode:          ${ctx.mode}`, `  Config file:   ${ctx.configFile}`, `  Store:         ${ctx.store}`, '');

  const s = report.summary;
  const recs = s.activeRecommendations;
  out.push(c.bold('RESULTS'));
  out.push(`  Providers tracked:       ${s.providersTracked}`);
  out.push(`  Checks recorded:         ${s.checksRecorded}`);
  out.push(`  Success rate:            ${percent(s.successRate)}`);
  out.push(`  Active recommendations:  ${recs.total} (${recs.critical} critical, ${recs.warning} warning, ${recs.info} info)`);
  out.push(`  Overall:                 ${overallMark(s.overall, c)}`, '');

  for (const cap of report.capabilities) out.push(...capabilityLines(cap, c));
  if (report.capabilities.length) out.push('');

  out.push(c.bold('RECENT CHECKS'));
  if (report.recentChecks.length === 0) out.push('  (no checks recorded)');
  for (const check of report.recentChecks) out.push(checkLine(check, c));
  out.push('');

  out.push(c.bold('OPERATOR RECOMMENDATIONS'));
  if (report.recommendations.length === 0) out.push('  None: nothing needs attention.');
  for (const r of report.recommendations) out.push(...recommendationLines(r, c));
  out.push('');
  out.push(`Exit code ${ctx.exitCode} (${['healthy', 'warnings', 'critical'][ctx.exitCode] ?? 'error'})`);
  out.push(RULE, c.bold('END OF REPORT'), RULE);
  return `${out.join('\n')}\n`;
}

function overallMark(overall: StatusReport['summary']['overall'], c: Palette): string {
  if (overall === 'critical') return c.red('CRITICAL');
  if (overall === 'warning') return c.yellow('WARNING');
  return c.green('HEALTHY');
}

function capabilityLines(cap: CapabilityReport, c: Palette): string[] {
  const status = cap.status === 'down' ? c.red('DOWN') : cap.status === 'degraded' ? c.yellow('DEGRADED') : c.green('OK');
  const lines = [`${c.bold(cap.capability)}  [${status}]  ${cap.strategy}, ${cap.usableProviders}/${cap.providers.length} usable`];
  for (const p of cap.providers) {
    const health = p.health === 'HEALTHY' ? c.green(p.health) : p.health === 'UNHEALTHY' ? c.red(p.health) : c.yellow(p.health);
    const rate = p.metrics.checks ? `checks ${percent(p.metrics.successRate)} ok, p95 ${ms(p.metrics.p95LatencyMs)}` : 'no checks';
    lines.push(
      `    ${pad(p.name, 22)} ${pad(health, 10)} ${pad(p.breakerState, 13)} ${pad(ms(p.latencyMs), 9)} ${c.dim(`${p.healthReason}; ${rate}`)}`,
    );
  }
  return lines;
}

function checkLine(check: HealthCheckResult, c: Palette): string {
  const mark = check.skipped ? c.dim('-') : check.success ? c.green('✓') : c.red('✗');
  const what = `${check.capability}/${check.provider}`;
  const detail = check.skipped
    ? `skipped: ${check.skipped === 'no_probe' ? 'no probe' : 'not configured'}`
    : check.error
      ? `${check.error.code}: ${check.error.message}`
      : check.source === 'traffic'
        ? `health ${check.health ?? ''} (live traffic)`.trim()
        : 'ok';
  return `  ${mark} ${isoTime(check.timestamp)}  ${pad(what, 36)} ${pad(check.skipped ? '-' : ms(check.latencyMs), 9)} ${detail}`;
}

function recommendationLines(r: ProviderRecommendation, c: Palette): string[] {
  const mark = r.severity === 'critical' ? c.red('[CRITICAL]') : r.severity === 'warning' ? c.yellow('[WARNING] ') : c.cyan('[INFO]    ');
  const who = r.provider === '*' ? `${r.capability} (chain)` : `${r.capability}/${r.provider}`;
  return [
    `  ${mark} ${who} (${r.health}): ${r.issue}`,
    `             Action: ${r.action}`,
    c.dim(`             Seen ${r.occurrences}x, first ${isoTime(r.firstSeen)}, last ${isoTime(r.lastSeen)}`),
  ];
}
