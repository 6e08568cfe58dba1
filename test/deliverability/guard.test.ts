/** The email chain's guard on its own: a failure to count a sent message never fails the send; a caller's header key of any case keeps working. */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { suppressionGuard } from '../../src/deliverability/suppression-guard.js';
import { UnsubscribeLinks } from '../../src/deliverability/unsubscribe.js';
import { MemoryMailEventLog, MemorySuppressionList } from '../../src/store/mail-data.js';
import { captureLogger } from '../helpers/context.js';

const result = {
  result: { messageId: '<m@x>', accepted: ['a@example.com'], rejected: [] },
  provider: 'esp',
  attempts: [],
  idempotencyKey: 'k',
  latencyMs: 1,
};

describe('email chain guard', () => {
  it('a store failure while counting the sent copy is logged; the result still comes back (the mail went out)', async () => {
    const events = new MemoryMailEventLog();
    events.countSent = () => Promise.reject(new Error('database is locked'));
    const { logger, lines } = captureLogger();
    const guard = suppressionGuard({ suppressions: new MemorySuppressionList(), events, clock: systemClock, logger });
    const g = await guard.before({ to: 'a@example.com', subject: 'S', text: 'x' });
    await expect(g.after(result)).resolves.toBe(result);
    expect(lines.join('\n')).toContain('database is locked');
  });

  it("adds List-Unsubscribe under the caller's own key for the address, whatever its case", async () => {
    const unsubscribe = new UnsubscribeLinks({ secret: 's'.repeat(40), baseUrl: 'https://gw.example.com', ttlDays: 30 });
    const guard = suppressionGuard({ suppressions: undefined, events: new MemoryMailEventLog(), clock: systemClock, unsubscribe });
    const g = await guard.before({
      to: ['Ada@Example.com'],
      separately: true,
      subject: 'S',
      text: 'x',
      recipientHeaders: { 'Ada@Example.com': { 'X-Id': '7' } },
    });
    const headers = (g.request as { recipientHeaders: Record<string, Record<string, string>> }).recipientHeaders;
    expect(Object.keys(headers)).toEqual(['Ada@Example.com']);
    expect(headers['Ada@Example.com']).toMatchObject({ 'X-Id': '7', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });
});
