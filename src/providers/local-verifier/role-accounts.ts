/**
 * Local parts that name a function, not a person (RFC 2142 mailbox names and common team
 * aliases). Mail to them reaches a group or a ticket queue: deliverable, but risky for outreach.
 */
const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'abuse',
  'accounting',
  'accounts',
  'admin',
  'administrator',
  'billing',
  'careers',
  'contact',
  'customerservice',
  'enquiries',
  'feedback',
  'help',
  'hello',
  'helpdesk',
  'hostmaster',
  'hr',
  'info',
  'inquiries',
  'jobs',
  'legal',
  'mail',
  'marketing',
  'media',
  'newsletter',
  'no-reply',
  'noc',
  'noreply',
  'office',
  'postmaster',
  'press',
  'privacy',
  'root',
  'sales',
  'security',
  'service',
  'support',
  'team',
  'webmaster',
]);

/** True for `info@`, `Support+eu@`, `no-reply@`: compares case-insensitively, without a `+tag`. */
export function isRoleLocalPart(local: string): boolean {
  const base = local.toLowerCase().split('+')[0]!;
  return ROLE_LOCAL_PARTS.has(base);
}
