import { describe, expect, it } from 'vitest';
import { checkSyntax } from '../../../src/providers/local-verifier/syntax.js';

const problem = (email: string): string | undefined => {
  const r = checkSyntax(email);
  return r.ok ? undefined : r.problem;
};

describe('local verifier syntax', () => {
  it('accepts ordinary dot-atom addresses and lower-cases the domain', () => {
    const r = checkSyntax('Jane.Doe+tag@Example.COM');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.address).toMatchObject({ local: 'Jane.Doe+tag', domain: 'example.com', asciiDomain: 'example.com', quoted: false });
    for (const ok of ["o'brien@example.com", 'a!#$%&*/=?^_`{|}~-@example.org', 'x@sub.domain.example.co.uk', 'user@a-b.example']) {
      expect(problem(ok), ok).toBeUndefined();
    }
  });

  it('rejects dots first, last or doubled in the local part', () => {
    expect(problem('.jane@example.com')).toBe('local_part_invalid');
    expect(problem('jane.@example.com')).toBe('local_part_invalid');
    expect(problem('ja..ne@example.com')).toBe('local_part_invalid');
    expect(problem('ja ne@example.com')).toBe('local_part_invalid');
    expect(problem('ja(ne)@example.com')).toBe('local_part_invalid');
  });

  it('rejects missing parts', () => {
    expect(problem('janeexample.com')).toBe('missing_at');
    expect(problem('@example.com')).toBe('local_part_empty');
    expect(problem('jane@')).toBe('domain_empty');
    expect(problem('jane@localhost')).toBe('domain_single_label');
  });

  it('local part: 64 octets pass, 65 fail, counted in UTF-8 bytes', () => {
    expect(problem(`${'a'.repeat(64)}@example.com`)).toBeUndefined();
    expect(problem(`${'a'.repeat(65)}@example.com`)).toBe('local_part_too_long');
    // 32 two-byte characters = 64 octets; 33 = 66 octets although only 33 characters
    expect(problem(`${'é'.repeat(32)}@example.com`)).toBeUndefined();
    expect(problem(`${'é'.repeat(33)}@example.com`)).toBe('local_part_too_long');
  });

  it('labels: 63 octets pass, 64 fail; LDH only, no hyphen at the ends', () => {
    expect(problem(`a@${'b'.repeat(63)}.com`)).toBeUndefined();
    expect(problem(`a@${'b'.repeat(64)}.com`)).toBe('label_too_long');
    expect(problem('a@-example.com')).toBe('label_invalid');
    expect(problem('a@example-.com')).toBe('label_invalid');
    expect(problem('a@exa_mple.com')).toBe('label_invalid');
    expect(problem('a@example..com')).toBe('domain_invalid');
    expect(problem('a@example.com.')).toBe('domain_invalid');
    expect(problem('a@1.2.3.4')).toBe('domain_invalid');
  });

  it('address: 254 octets pass, 255 fail; domain over 255 octets fails', () => {
    const d189 = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.com.ab`; // 189 octets
    expect(d189.length).toBe(189);
    expect(problem(`${'l'.repeat(64)}@${d189}`)).toBeUndefined(); // 64 + 1 + 189 = 254
    expect(problem(`${'l'.repeat(64)}@${d189}c`)).toBe('address_too_long'); // 255
    const l63 = 'x'.repeat(63);
    const long = `${l63}.${l63}.${l63}.${'y'.repeat(61)}.ab`;
    expect(long.length).toBe(256);
    expect(problem(`a@${long}`)).toBe('domain_too_long');
    expect(problem(`a@${l63}.${l63}.${l63}.${'y'.repeat(61)}.a`)).toBe('address_too_long'); // domain 255 octets: allowed alone
  });

  it('IDN domains are converted to A-labels and checked in that form', () => {
    const r = checkSyntax('info@Bücher.de');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.address.asciiDomain).toBe('xn--bcher-kva.de');
    const jp = checkSyntax('user@例え.テスト');
    expect(jp.ok && jp.address.asciiDomain).toBe('xn--r8jz45g.xn--zckzah');
    expect(problem('user@xn--zz.com')).toBe('domain_invalid');
    // a 60-character U-label grows past 63 octets as an A-label
    expect(problem(`user@${'ü'.repeat(60)}.de`)).toBe('label_too_long');
  });

  it('quoted local parts parse (flagged), address literals are checked', () => {
    const q = checkSyntax('"john doe"@example.com');
    expect(q.ok && q.address.quoted).toBe(true);
    expect(problem('"jo"hn"@example.com')).toBe('local_part_invalid');
    const lit = checkSyntax('postmaster@[192.0.2.1]');
    expect(lit.ok && lit.address.literal).toBe(true);
    expect(problem('a@[IPv6:2001:db8::1]')).toBeUndefined();
    expect(problem('a@[300.1.1.1]')).toBe('address_literal_invalid');
  });

  it('non-ASCII local parts parse and are flagged for SMTPUTF8', () => {
    const r = checkSyntax('josé@example.com');
    expect(r.ok && r.address.utf8Local).toBe(true);
  });
});
