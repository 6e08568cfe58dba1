/**
 * Dropcontact email qualification `<local>@<domain>` -> lead_enrichment emailStatus. Both the
 * English and French vocabularies are understood, plus the legacy `catch_all`, `non_confirm`
 * and `random`.
 */
import type { EmailStatus } from '../enrichment/result-builder.js';

const BY_LOCAL: Record<string, EmailStatus> = {
  nominative: 'verified',
  nominatif: 'verified',
  generic: 'verified',
  generique: 'verified',
  'catch-all': 'catch_all',
  catch_all: 'catch_all',
  non_confirm: 'catch_all',
  non_validated: 'unverified',
  non_valide: 'unverified',
  invalid: 'invalid',
  invalide: 'invalid',
  random: 'invalid',
  do_not_contact: 'unknown',
  ne_pas_contacter: 'unknown',
};

const INVALID_DOMAINS = new Set(['invalid domain', 'domaine invalide', 'disposable', 'jetable']);
const RANK: Record<EmailStatus, number> = { verified: 4, catch_all: 3, unverified: 2, unknown: 1, invalid: 0 };

export function qualificationStatus(qualification: unknown): EmailStatus {
  if (typeof qualification !== 'string') return 'unknown';
  const at = qualification.indexOf('@');
  const local = (at < 0 ? qualification : qualification.slice(0, at))
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  const domain =
    at < 0
      ? ''
      : qualification
          .slice(at + 1)
          .trim()
          .toLowerCase();
  if (INVALID_DOMAINS.has(domain)) return 'invalid';
  return BY_LOCAL[local] ?? 'unknown';
}

/** The best of Dropcontact's `email: [{email, qualification}]` list. */
export function bestEmail(list: unknown): { email: string; status: EmailStatus } | undefined {
  if (!Array.isArray(list)) return undefined;
  let best: { email: string; status: EmailStatus } | undefined;
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { email?: unknown }).email !== 'string') continue;
    const candidate = {
      email: (entry as { email: string }).email,
      status: qualificationStatus((entry as { qualification?: unknown }).qualification),
    };
    if (!best || RANK[candidate.status] > RANK[best.status]) best = candidate;
  }
  return best;
}
