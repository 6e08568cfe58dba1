/**
 * The stable `--json` document (schemaVersion 1), documented in docs/json-status-schema.md.
 * Fields are only ever added within a schema version, never renamed or removed.
 */
import type { ProviderRecommendation, StatusReport } from '../../monitoring/types.js';
import type { ReportContext } from './human-report.js';

const STATUS_JSON_SCHEMA_VERSION = 1;

export interface StatusJSON {
  schemaVersion: typeof STATUS_JSON_SCHEMA_VERSION;
  generatedAt: string;
  source: string;
  mode: string;
  configFile: string;
  store: string;
  overall: StatusReport['summary']['overall'];
  exitCode: number;
  summary: StatusReport['summary'];
  capabilities: StatusReport['capabilities'];
  history: StatusReport['recentChecks'];
  recommendations: ProviderRecommendation[];
  resolvedRecommendations: ProviderRecommendation[];
}

export function toStatusJSON(report: StatusReport, ctx: ReportContext, resolved: readonly ProviderRecommendation[]): StatusJSON {
  return {
    schemaVersion: STATUS_JSON_SCHEMA_VERSION,
    generatedAt: new Date(report.generatedAt).toISOString(),
    source: ctx.source,
    mode: ctx.mode,
    configFile: ctx.configFile,
    store: ctx.store,
    overall: report.summary.overall,
    exitCode: ctx.exitCode,
    summary: report.summary,
    capabilities: report.capabilities,
    history: report.recentChecks,
    recommendations: report.recommendations,
    resolvedRecommendations: [...resolved],
  };
}
