/**
 * The shared deadline timer never keeps an idle process alive, yet an awaited call to an
 * adapter that hangs on a bare promise still ends at its deadline (a beforeExit hook holds
 * the loop open while attempts are live). Checked in real child processes.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/hang-child.ts', import.meta.url));

function runChild(mode: 'hang' | 'idle') {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, HANG_MODE: mode },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return {
    status: r.status,
    out: JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as Record<string, unknown>,
    wallMs: Date.now() - t0,
    stderr: r.stderr,
  };
}

describe('process keep-alive of the deadline timer', () => {
  it('an awaited hanging adapter ends at its attempt deadline instead of the process exiting under it', () => {
    const r = runChild('hang');
    expect(r.stderr).not.toContain('unsettled');
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ ok: false, code: 'GW_ALL_PROVIDERS_FAILED', kind: 'timeout' });
    expect(r.out.ms).toBeGreaterThanOrEqual(290);
  });

  it('an idle process exits although a finished attempt had an hour-long timeout', () => {
    const r = runChild('idle');
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ ok: true, provider: 'hangs' });
    // The child's own work takes well under a second; an armed, referenced timer would hold it for an hour
    // (spawnSync's 30 s timeout would then kill it and status would be null).
    expect(r.wallMs).toBeLessThan(25_000);
  });
});
