/**
 * Airtable probe, read-only: `GET /v0/meta/whoami` (the token), then, when a base and a default
 * table are configured, `GET /v0/{baseId}/{table}?maxRecords=1` (the token's access to that base
 * and table, as a records write needs it). What it cannot see: the write scope of a personal
 * access token (only OAuth tokens list their scopes) and field names a write would use.
 */
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapAirtableError } from './errors.js';

export interface AirtableProbeInput {
  root: string;
  token: string;
  baseId?: string | undefined;
  table?: string | undefined;
  provider: string;
  signal: AbortSignal;
  now: number;
}

export async function probeAirtable(input: AirtableProbeInput): Promise<ProbeResult> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.root}/meta/whoami`,
    headers: { authorization: `Bearer ${input.token}` },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.token],
  });
  const json = res.json as { id?: unknown; scopes?: unknown } | undefined;
  if (res.status !== 200 || typeof json?.id !== 'string') {
    throw mapAirtableError(res, { provider: input.provider, now: input.now, secrets: [input.token], tableFromRequest: false });
  }
  const warnings: string[] = [];
  if (input.baseId && input.table) await readOneRecord(input);
  else warnings.push('No baseId and default table configured: the probe checks the token only, not its access to a base.');
  const scopes = Array.isArray(json.scopes) ? json.scopes.filter((s): s is string => typeof s === 'string') : undefined;
  if (scopes && !scopes.includes('data.records:write'))
    warnings.push('The token lacks the data.records:write scope: upserts will be refused.');
  return { metadata: { userId: json.id, ...(scopes ? { scopes } : {}) }, ...(warnings.length ? { warnings } : {}) };
}

async function readOneRecord(input: AirtableProbeInput): Promise<void> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.root}/${encodeURIComponent(input.baseId!)}/${encodeURIComponent(input.table!)}?maxRecords=1`,
    headers: { authorization: `Bearer ${input.token}` },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.token],
  });
  if (res.status !== 200)
    throw mapAirtableError(res, { provider: input.provider, now: input.now, secrets: [input.token], tableFromRequest: false });
}
