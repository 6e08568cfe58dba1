/** Prints a status report in the chosen format and returns the exit code it stands for. */
import type { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import type { ChainStatusLike } from '../monitoring/sources.js';
import type { StatusReport } from '../monitoring/types.js';
import { palette, useColor } from './format/colors.js';
import { formatHumanReport, type ReportContext } from './format/human-report.js';
import { toStatusJSON } from './format/status-json.js';
import { EXIT, type CliIO } from './io.js';

function exitCodeFor(report: StatusReport): number {
  const o = report.summary.overall;
  return o === 'critical' ? EXIT.CRITICAL : o === 'warning' ? EXIT.WARNING : EXIT.OK;
}

export async function printReport(
  registry: SelfCheckRegistry,
  chains: readonly ChainStatusLike[],
  ctx: Omit<ReportContext, 'exitCode'>,
  json: boolean,
  io: CliIO,
): Promise<number> {
  const report = await registry.getStatusReport({ chains });
  const exitCode = exitCodeFor(report);
  const full = { ...ctx, exitCode };
  if (json) {
    const resolved = (await registry.getRecommendations({ includeResolved: true })).filter((r) => r.resolvedAt !== null).slice(0, 20);
    io.stdout.write(`${JSON.stringify(toStatusJSON(report, full, resolved), null, 2)}\n`);
  } else {
    io.stdout.write(formatHumanReport(report, full, palette(useColor(io.stdout, io.env))));
  }
  return exitCode;
}
