/**
 * Disposable (throw-away) mailbox domains from the `disposable-email-domains` package: a plain
 * JSON list (`index.json`) plus a wildcard list whose subdomains are disposable too. The lists
 * are loaded once, on first use (about 120,000 names).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let exact: ReadonlySet<string> | undefined;
let wildcard: ReadonlySet<string> | undefined;

function load(): void {
  if (exact && wildcard) return;
  exact = new Set(require('disposable-email-domains') as string[]);
  wildcard = new Set(require('disposable-email-domains/wildcard.json') as string[]);
}

/** Number of names in the exact list (for probe metadata and tests). */
export function disposableListSize(): number {
  load();
  return exact!.size;
}

/**
 * True when the (A-label, lower-case) domain is on the list, or a subdomain of a wildcard entry,
 * or equal to / a subdomain of one of the operator's extra domains.
 */
export function isDisposableDomain(domain: string, extra: readonly string[] = []): boolean {
  load();
  if (exact!.has(domain)) return true;
  const labels = domain.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join('.');
    if (wildcard!.has(suffix) || extra.includes(suffix)) return true;
  }
  return false;
}
