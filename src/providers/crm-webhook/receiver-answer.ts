/**
 * Reads a receiver's optional JSON answer to a `crm.records.upsert` delivery. A receiver may
 * answer `{"records":[{"index":0,"id":"rec1","status":"created"}, …]}` (index optional: the
 * position is used); records it does not mention, or any other answer, count as `updated`.
 */
import { z } from 'zod';
import type { CrmSyncResult } from '../../capabilities/crm-sync.js';

const answerRecord = z.object({
  index: z.number().int().nonnegative().optional(),
  id: z.union([z.string(), z.number()]).optional(),
  status: z.enum(['created', 'updated', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
const answer = z.object({ records: z.array(answerRecord) });

export function crmResultFromAnswer(count: number, json: unknown): CrmSyncResult {
  const records: CrmSyncResult['records'] = Array.from({ length: count }, (_, index) => ({ index, status: 'updated' as const }));
  const parsed = answer.safeParse(json);
  if (parsed.success) {
    parsed.data.records.forEach((r, position) => {
      const index = r.index ?? position;
      if (index >= count) return;
      const out: CrmSyncResult['records'][number] = { index, status: r.status };
      if (r.id !== undefined) out.id = String(r.id);
      if (r.status === 'failed') out.error = r.error ?? { code: 'RECEIVER_FAILED', message: 'The receiver reported this record as failed' };
      records[index] = out;
    });
  }
  return {
    created: records.filter((r) => r.status === 'created').length,
    updated: records.filter((r) => r.status === 'updated').length,
    failed: records.filter((r) => r.status === 'failed').length,
    records,
  };
}
