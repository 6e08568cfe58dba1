/**
 * The suppression list as CSV (import and export, API and CLI): a header row, then
 * `address,reason,source,at,detail` (`at` ISO 8601). On import only `address` is required;
 * `reason` defaults to `manual` (one of hard_bounce, soft_bounce, complaint, unsubscribe,
 * manual), `source` to `import`, `at` to now. A file with any bad row is refused whole, naming
 * each bad row (up to 20) and why: nothing is half-imported.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { GatewayError } from '../core/errors.js';
import { SUPPRESSION_REASONS, type SuppressionEntry } from '../store/mail-data.js';

const CSV_COLUMNS = ['address', 'reason', 'source', 'at', 'detail'] as const;

export function suppressionsToCsv(entries: readonly SuppressionEntry[], header = true): string {
  return stringify(
    entries.map((e) => [e.address, e.reason, e.source, new Date(e.at).toISOString(), e.detail ?? '']),
    header ? { header: true, columns: [...CSV_COLUMNS] } : {},
  );
}

const row = z.object({
  address: z.email({ message: 'must be an email address' }),
  reason: z.enum(SUPPRESSION_REASONS).default('manual'),
  source: z.string().min(1).max(100).default('import'),
  at: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date')
    .optional(),
  detail: z.string().max(300).optional(),
});

export function suppressionsFromCsv(text: string, now: number): SuppressionEntry[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    throw invalid([{ path: '(file)', message: `not valid CSV: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (records.length > 0 && !('address' in records[0]!))
    throw invalid([{ path: '(header)', message: 'the header must name an address column' }]);
  const problems: { path: string; message: string }[] = [];
  const entries: SuppressionEntry[] = [];
  records.forEach((r, i) => {
    const cleaned = Object.fromEntries(Object.entries(r).filter(([k, v]) => (CSV_COLUMNS as readonly string[]).includes(k) && v !== ''));
    const parsed = row.safeParse(cleaned);
    if (!parsed.success) {
      // Row 1 is the header: data rows count from 2, as a spreadsheet shows them.
      for (const issue of parsed.error.issues) problems.push({ path: `row ${i + 2}.${issue.path.join('.')}`, message: issue.message });
      return;
    }
    const { address, reason, source, at, detail } = parsed.data;
    entries.push({ address, reason, source, at: at ? Date.parse(at) : now, ...(detail ? { detail } : {}) });
  });
  if (problems.length) throw invalid(problems);
  return entries;
}

function invalid(problems: { path: string; message: string }[]): GatewayError {
  return new GatewayError(
    'GW_INVALID_REQUEST',
    `The suppression CSV was refused, nothing imported: ${problems
      .slice(0, 3)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
    { details: { problems: problems.slice(0, 20) } },
  );
}
