/**
 * Issue 18, point 4: custom `headers` cannot add recipients past the request schema or a second
 * Content-Type; every refusal names the field.
 */
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../src/capabilities/capability.js';
import { emailSending } from '../../src/capabilities/email-sending.js';
import type { GatewayError } from '../../src/core/errors.js';

const base = { to: 'lead@example.com', subject: 'Hello', text: 'Hi' };
const problemsOf = (request: unknown): { path: string; message: string }[] => {
  try {
    parseRequest(emailSending, request);
  } catch (error) {
    return (error as GatewayError).details!.problems as { path: string; message: string }[];
  }
  return [];
};

describe('email request headers', () => {
  it.each(['Bcc', 'cc', 'TO', 'From', 'Reply-To', 'Content-Type', 'MIME-Version', 'Content-Transfer-Encoding', 'Message-ID', 'Resent-Bcc'])(
    '%s in headers is refused with its path',
    (name) => {
      const problems = problemsOf({ ...base, headers: { [name]: 'x@example.com' } });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.path).toBe(`headers.${name}`);
      expect(problems[0]!.message).toContain('use to, cc, bcc');
    },
  );

  it('a header value cannot smuggle a second header on a new line', () => {
    const problems = problemsOf({ ...base, headers: { 'X-Campaign': 'spring\r\nBcc: victim@example.com' } });
    expect(problems).toEqual([{ path: 'headers.X-Campaign', message: expect.stringContaining('one line') }]);
  });

  it('other headers pass (List-Unsubscribe, X-Campaign)', () => {
    expect(problemsOf({ ...base, headers: { 'List-Unsubscribe': '<mailto:u@example.com>', 'X-Campaign': 'spring' } })).toEqual([]);
  });
});
