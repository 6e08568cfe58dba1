/**
 * Persistence across a restart: a provider whose credentials were refused has an open circuit;
 * the Gateway saves its health to the SQLite store on close, and a new Gateway on the same file
 * restores the open circuit, skips the provider until its time, and readmits it after.
 * Dry run (sandboxes with forced failures), engine time on a ManualClock shared by both gateways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig, type GatewayConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/core/clock.js';
import type { InvocationError } from '../../src/core/invocation.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { rejectionOf, statusOf, unavailableCode } from './helpers/live-gateway.js';

const AUTH_OPEN_MS = 5 * 60_000; // breaker.authOpenMs default (docs/architecture.md "Health")
const mail = { to: 'lead@example.com', subject: 'Hi', text: 'Hello' };

describe('e2e: an open circuit survives a restart (sqlite store)', () => {
  let dir: string;
  let config: GatewayConfig;
  let clock: ManualClock;
  const open: Gateway[] = [];
  const start = async (): Promise<Gateway> => {
    const gw = await Gateway.create({ config, clock, snapshotIntervalMs: 0 });
    open.push(gw);
    return gw;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
    clock = new ManualClock(Date.now());
    config = validateConfig(
      {
        mode: 'dry_run',
        store: `sqlite:${join(dir, 'gw.db')}`,
        capabilities: {
          email_sending: {
            retry: { maxAttemptsPerProvider: 1 },
            providers: [
              { name: 'smtp_primary', type: 'smtp' },
              { name: 'smtp_backup', type: 'smtp' },
            ],
          },
          reply_fetching: { panic: 'fail_fast', providers: [{ name: 'imap_inbox', type: 'imap' }] },
        },
      },
      {},
    ).config;
  });
  afterEach(async () => {
    for (const gw of open.splice(0)) await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('auth failure -> close -> a new Gateway restores the open circuit, skips the provider until its time, then readmits it', async () => {
    const first = await start();
    const t0 = clock.now();
    first.getSandbox('smtp_primary')!.setFailure('auth');
    first.getSandbox('imap_inbox')!.setFailure('auth');

    const sent = await first.invoke('email_sending', mail, { idempotencyKey: 'e2e-persist-1' });
    expect(sent.attempts.map((a) => [a.provider, a.outcome, a.code])).toEqual([
      ['smtp_primary', 'auth', 'GW_PROVIDER_AUTH'],
      ['smtp_backup', 'success', undefined],
    ]);
    const fetchFailed = await rejectionOf(first.invoke('reply_fetching', {}, { idempotencyKey: 'e2e-persist-2' }));
    expect([fetchFailed.code, fetchFailed.kind]).toEqual(['GW_ALL_PROVIDERS_FAILED', 'auth']);
    for (const name of ['smtp_primary', 'imap_inbox']) {
      expect(statusOf(first, name)).toMatchObject({ health: 'UNHEALTHY', breakerState: 'open', openUntil: t0 + AUTH_OPEN_MS });
    }
    await first.close();

    await clock.advance(60_000);
    const second = await start();
    for (const name of ['smtp_primary', 'imap_inbox']) {
      const s = statusOf(second, name);
      expect([s.health, s.breakerState, s.openUntil], name).toEqual(['UNHEALTHY', 'open', t0 + AUTH_OPEN_MS]);
      expect(s.lastError).toMatchObject({ code: 'GW_PROVIDER_AUTH', kind: 'auth' });
      expect(unavailableCode(second, name)).toBe('GW_CIRCUIT_OPEN');
    }
    // The new sandboxes would succeed if called: nothing reaches them while the circuit is open.
    const resent = await second.invoke('email_sending', mail, { idempotencyKey: 'e2e-persist-3' });
    expect(resent.provider).toBe('smtp_backup');
    expect(second.getSandbox('smtp_primary')!.calls).toBe(0);

    const refused = (await rejectionOf(second.invoke('reply_fetching', {}, { idempotencyKey: 'e2e-persist-4' }))) as InvocationError;
    expect(refused.code).toBe('GW_NO_USABLE_PROVIDER');
    expect(refused.attempts).toEqual([expect.objectContaining({ provider: 'imap_inbox', outcome: 'skipped', code: 'GW_CIRCUIT_OPEN' })]);
    expect(refused.retryAfterMs).toBe(t0 + AUTH_OPEN_MS - clock.now());
    expect(second.getSandbox('imap_inbox')!.calls).toBe(0);

    // Its time comes: the circuit admits a half-open call, which succeeds and closes it.
    await clock.advance(t0 + AUTH_OPEN_MS - clock.now());
    expect(statusOf(second, 'imap_inbox').breakerState).toBe('half_open');
    const fetched = await second.invoke('reply_fetching', {}, { idempotencyKey: 'e2e-persist-5' });
    expect(fetched.attempts.map((a) => [a.provider, a.outcome])).toEqual([['imap_inbox', 'success']]);
    expect(second.getSandbox('imap_inbox')!.calls).toBe(1);
    expect(statusOf(second, 'imap_inbox')).toMatchObject({ health: 'HEALTHY', breakerState: 'closed', openUntil: null });
  });

  it('the saved snapshot is what the store holds (another process reads the same picture)', async () => {
    const first = await start();
    first.getSandbox('smtp_primary')!.setFailure('auth');
    await first.invoke('email_sending', mail);
    await first.close();

    const third = await Gateway.create({ config, clock, snapshotIntervalMs: 0, saveOnClose: false });
    open.push(third);
    const saved = (await third.store.loadSnapshots()).find((r) => r.provider === 'smtp_primary');
    expect(saved?.status).toMatchObject({ health: 'UNHEALTHY', breakerState: 'open' });
    expect(saved?.capability).toBe('email_sending');
  });
});
