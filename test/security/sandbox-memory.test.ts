/**
 * Issue 18, point 5: a dry run does not keep request bodies alive: the sandbox's record is
 * bounded in count and in bytes, and a request larger than the budget is recorded without its body.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.js';
import { Gateway } from '../../src/gateway.js';

describe('sandbox record', () => {
  it('keeps at most keepRecordBytes of requests, the newest; a larger request is recorded without its body', async () => {
    const { config } = validateConfig(
      {
        mode: 'dry_run',
        store: 'memory:',
        logLevel: 'silent',
        monitoring: { intervalSeconds: 0 },
        capabilities: {
          webhook_dispatch: { providers: [{ name: 'h', type: 'webhook', sandbox: { latencyMs: 0, keepRecordBytes: 250_000 } }] },
        },
      },
      {},
    );
    const gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
    try {
      for (let i = 0; i < 10; i++) await gateway.invoke('webhook_dispatch', { event: 'e', payload: { n: i, pad: 'x'.repeat(100_000) } });
      const sandbox = gateway.getSandbox('h')!;
      expect(sandbox.records.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(250_000);
      expect(sandbox.records.map((r) => (r.request as { payload: { n: number } }).payload.n)).toEqual([8, 9]);
      await gateway.invoke('webhook_dispatch', { event: 'e', payload: { pad: 'y'.repeat(1_000_000) } });
      expect(sandbox.records.at(-1)!.request).toEqual({ omitted: expect.stringContaining('larger than keepRecordBytes') });
    } finally {
      await gateway.close();
    }
  });
});
