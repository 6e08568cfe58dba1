/** Airtable probe: `GET /v0/meta/whoami`, which needs no scope and writes nothing. */
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapAirtableError } from './errors.js';

export interface AirtableProbeInput {
  root: string;
  token: string;
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
  const scopes = Array.isArray(json.scopes) ? json.scopes.filter((s): s is string => typeof s === 'string') : undefined;
  if (scopes && !scopes.includes('data.records:write')) warnings.push('The token lacks the data.records:write scope: upserts will be refused.');
  return { metadata: { userId: json.id, ...(scopes ? { scopes } : {}) }, ...(warnings.length ? { warnings } : {}) };
}
