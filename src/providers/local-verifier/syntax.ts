/**
 * Address syntax per RFC 5322 §3.4.1 (addr-spec) with the size limits of RFC 5321 §4.5.3.1.
 * Lengths are counted in octets (UTF-8 bytes), never in characters. Internationalised domains
 * are converted to their A-label form (punycode) and checked in that form.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 255;
const MAX_ADDRESS_OCTETS = 254;
const MAX_LABEL_OCTETS = 63;

type SyntaxProblem =
  | 'missing_at'
  | 'local_part_empty'
  | 'local_part_too_long'
  | 'local_part_invalid'
  | 'domain_empty'
  | 'domain_too_long'
  | 'domain_invalid'
  | 'domain_single_label'
  | 'label_too_long'
  | 'label_invalid'
  | 'idn_invalid'
  | 'address_literal_invalid'
  | 'address_too_long';

interface ParsedAddress {
  local: string;
  /** The domain as given, lower-cased. */
  domain: string;
  /** The domain in A-label (ASCII) form: what DNS is asked about. */
  asciiDomain: string;
  /** The local part is a quoted string (`"john doe"@example.com`). */
  quoted: boolean;
  /** The local part holds non-ASCII characters (needs SMTPUTF8, RFC 6531). */
  utf8Local: boolean;
  /** The domain is an address literal (`[192.0.2.1]`). */
  literal: boolean;
}

export type SyntaxResult = { ok: true; address: ParsedAddress } | { ok: false; problem: SyntaxProblem };

const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u{80}-\u{10FFFF}]+$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const QUOTED_CONTENT = /^(?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*$/;

const octets = (s: string): number => Buffer.byteLength(s, 'utf8');
const fail = (problem: SyntaxProblem): SyntaxResult => ({ ok: false, problem });

export function checkSyntax(input: string): SyntaxResult {
  const email = input.trim();
  const at = email.lastIndexOf('@');
  if (at < 0) return fail('missing_at');
  const local = email.slice(0, at);
  const rawDomain = email.slice(at + 1).toLowerCase();
  if (local.length === 0) return fail('local_part_empty');
  if (octets(local) > MAX_LOCAL_OCTETS) return fail('local_part_too_long');
  const quoted = local.length >= 2 && local.startsWith('"') && local.endsWith('"');
  if (quoted ? !QUOTED_CONTENT.test(local.slice(1, -1)) : !isDotAtom(local)) return fail('local_part_invalid');
  if (rawDomain.length === 0) return fail('domain_empty');

  let asciiDomain: string;
  let literal = false;
  if (rawDomain.startsWith('[')) {
    if (!validLiteral(rawDomain)) return fail('address_literal_invalid');
    asciiDomain = rawDomain;
    literal = true;
  } else {
    const checked = checkDomain(rawDomain);
    if (typeof checked !== 'string') return fail(checked.problem);
    asciiDomain = checked;
  }
  const length = Math.max(octets(email), octets(local) + 1 + asciiDomain.length);
  if (length > MAX_ADDRESS_OCTETS) return fail('address_too_long');
  return {
    ok: true,
    address: { local, domain: rawDomain, asciiDomain, quoted, utf8Local: /[^\p{ASCII}]/u.test(local), literal },
  };
}

/** dot-atom: atext runs separated by single dots, no dot first or last. */
function isDotAtom(local: string): boolean {
  return local.split('.').every((atom) => atom.length > 0 && ATEXT.test(atom));
}

/** Returns the A-label form of a valid domain, or the problem. */
function checkDomain(domain: string): string | { problem: SyntaxProblem } {
  if (octets(domain) > MAX_DOMAIN_OCTETS) return { problem: 'domain_too_long' };
  const nonAscii = /[^\p{ASCII}]/u.test(domain);
  const ascii = domainToASCII(domain);
  if (ascii === '') return { problem: nonAscii ? 'idn_invalid' : 'domain_invalid' };
  if (ascii.length > MAX_DOMAIN_OCTETS) return { problem: 'domain_too_long' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { problem: 'domain_single_label' };
  for (const label of labels) {
    if (label.length === 0) return { problem: 'domain_invalid' };
    if (label.length > MAX_LABEL_OCTETS) return { problem: 'label_too_long' };
    if (!LDH_LABEL.test(label)) return { problem: 'label_invalid' };
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return { problem: 'domain_invalid' };
  return ascii;
}

function validLiteral(domain: string): boolean {
  if (!domain.endsWith(']')) return false;
  const inner = domain.slice(1, -1);
  if (inner.startsWith('ipv6:')) return isIP(inner.slice(5)) === 6;
  return isIP(inner) === 4;
}
