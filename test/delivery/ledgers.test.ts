/**
 * The SQLite ledger's group commit and sync level, and the memory ledger's limits: the parts of
 * the ledgers that the API-level tests (ledger-api, crash) cannot see; and the memory outbox's limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeliveryDb } from '../../src/delivery/delivery-db.js';
import type { BeginInput } from '../../src/delivery/ledger.js';
import { MemoryLedger } from '../../src/delivery/memory-ledger.js';
import { MemoryOutbox } from '../../src/delivery/memory-outbox.js';
import type { DeliveryOutcome } from '../../src/delivery/outbox.js';
import { SqliteLedger, type LedgerSync } from '../../src/delivery/sqlite-ledger.js';
import type { Logger } from '../../src/core/logger.js';

const T0 = 1_700_000_000_000;
const begin = (key: string, now = T0, owner = `o-${key}`): BeginInput => ({
  key,
  capability: 'webhook_dispatch',
  fingerprint: `fp-${key}`,
  owner,
  now,
  leaseMs: 1_000,
  ttlMs: 86_400_000,
});

describe('SQLite ledger', () => {
  const dirs: string[] = [];
  const dbs: Database.Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function open(sync?: LedgerSync): { db: Database.Database; ledger: SqliteLedger } {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    dirs.push(dir);
    const db = openDeliveryDb(join(dir, 'gw.delivery.db'));
    dbs.push(db);
    return { db, ledger: new SqliteLedger(db, sync ? { sync } : {}) };
  }

  it('commits the writes asked for in one turn together, in order: one of several begins of a key acquires it', async () => {
    const { ledger } = open();
    const results = await Promise.all([ledger.begin(begin('k', T0, 'a')), ledger.begin(begin('k', T0, 'b')), ledger.begin(begin('other'))]);
    expect(results.map((r) => r.acquired)).toEqual([true, false, true]);
    expect(results[1].entry).toMatchObject({ owner: 'a', state: 'in_flight' });
    // A settle and a begin of the same key in one turn: the begin sees the settled entry.
    const [settled, again] = await Promise.all([
      ledger.settle('k', { state: 'succeeded', result: { id: 1 }, provider: 'p' }, T0 + 5, 'a'),
      ledger.begin(begin('k', T0 + 6, 'c')),
    ]);
    expect(settled).toBe(true);
    expect(again).toMatchObject({ acquired: false, entry: { state: 'succeeded', result: { id: 1 }, provider: 'p', createdAt: T0 } });
  });

  it('a write that throws fails alone: the others of its group commit are kept', async () => {
    const { db, ledger } = open();
    await ledger.begin(begin('broken'));
    db.prepare("UPDATE ledger SET data = 'not json' WHERE key = 'broken'").run();
    const [bad, good] = await Promise.allSettled([
      ledger.settle('broken', { state: 'succeeded' }, T0 + 1, 'o-broken'),
      ledger.begin(begin('fine')),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good).toMatchObject({ status: 'fulfilled', value: { acquired: true } });
    expect(await ledger.get('fine', T0 + 2)).toMatchObject({ state: 'in_flight' });
  });

  it.each([['normal' as const], ['full' as const]])(
    'ledgerSync %s: the connection is back at the outbox level (synchronous=FULL) after every ledger commit',
    async (sync) => {
      const { db, ledger } = open(sync);
      await ledger.begin(begin('k'));
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      await ledger.settle('k', { state: 'failed' }, T0 + 1, 'o-k');
      await ledger.release('k');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(await ledger.get('k', T0 + 2)).toBeUndefined();
    },
  );

  it('a settle keeps the key, its creation and expiry; a lapsed lease reads as an unknown outcome', async () => {
    const { db, ledger } = open();
    await ledger.begin(begin('k'));
    await ledger.settle('k', { state: 'queued', deliveryId: 'dlv_1' }, T0 + 10, 'o-k');
    expect(db.prepare('SELECT state, created_at, expires_at FROM ledger WHERE key = ?').get('k')).toEqual({
      state: 'queued',
      created_at: T0,
      expires_at: T0 + 86_400_000,
    });
    await ledger.begin(begin('lapsed'));
    expect(await ledger.get('lapsed', T0 + 1_001)).toMatchObject({ state: 'unknown_outcome', error: { code: 'GW_UNKNOWN_OUTCOME' } });
    expect((await ledger.list({ state: 'unknown_outcome' }, T0 + 1_001)).map((e) => e.key)).toEqual(['lapsed']);
  });
});

describe('memory ledger limits', () => {
  const settleAll = async (ledger: MemoryLedger, keys: string[]): Promise<void> => {
    for (const k of keys) await ledger.settle(k, { state: 'succeeded', result: { k } }, T0 + 1, `o-${k}`);
  };

  it('keeps at most maxEntries keys: the oldest settled go first, keys in flight stay, a forgotten key is new again', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...a: unknown[]) => warnings.push(a) } as unknown as Logger;
    const ledger = new MemoryLedger({ limits: { maxEntries: 3 }, logger });
    await ledger.begin(begin('a')); // stays in flight
    for (const k of ['b', 'c']) await ledger.begin(begin(k));
    await settleAll(ledger, ['b', 'c']);
    await ledger.begin(begin('d')); // 4 keys: b (the oldest settled) goes, a (older, in flight) stays
    expect(ledger.usage.entries).toBe(3);
    expect(await ledger.get('a', T0 + 2)).toMatchObject({ state: 'in_flight' });
    expect(await ledger.get('b', T0 + 2)).toBeUndefined();
    expect(await ledger.get('c', T0 + 2)).toMatchObject({ state: 'succeeded' });
    expect(ledger.evictions).toBe(1);
    expect((await ledger.begin(begin('b', T0 + 3, 'again'))).acquired).toBe(true);
    expect(ledger.evictions).toBe(2);
    expect(warnings).toHaveLength(1); // the first eviction is logged, once
  });

  it('keeps at most maxBytes of entries (their JSON size), counting results as they are stored', async () => {
    const ledger = new MemoryLedger({ limits: { maxBytes: 4_000 } });
    const big = 'x'.repeat(1_000);
    for (let i = 0; i < 10; i++) {
      await ledger.begin(begin(`k${i}`));
      await ledger.settle(`k${i}`, { state: 'succeeded', result: big }, T0 + 1, `o-k${i}`);
      expect(ledger.usage.bytes).toBeLessThanOrEqual(4_000);
    }
    expect(ledger.usage.entries).toBe(3);
    expect((await ledger.list({}, T0 + 2)).map((e) => e.key).sort()).toEqual(['k7', 'k8', 'k9']);
    await ledger.release('k9');
    await ledger.prune(T0 + 86_400_001);
    expect(ledger.usage).toEqual({ entries: 0, bytes: 0 });
  });

  it('keys in flight are never evicted, even past the limit', async () => {
    const ledger = new MemoryLedger({ limits: { maxEntries: 2 } });
    for (const k of ['a', 'b', 'c']) expect((await ledger.begin(begin(k))).acquired).toBe(true);
    expect(ledger.usage.entries).toBe(3);
    expect(ledger.evictions).toBe(0);
    // Once their leases lapse they count as settled (unknown outcome) and may go.
    await ledger.begin(begin('d', T0 + 5_000));
    expect(ledger.usage.entries).toBe(2);
  });
});

describe('memory outbox limit', () => {
  it('past its row limit it drops the oldest ended deliveries; pending and unknown-outcome ones stay, and so do their ledger answers', async () => {
    const ledger = new MemoryLedger();
    const outbox = new MemoryOutbox(ledger, 3);
    for (let i = 0; i < 5; i++) {
      await ledger.begin(begin(`k${i}`));
      await outbox.enqueue({ idempotencyKey: `k${i}`, capability: 'webhook_dispatch', request: { i }, now: T0 });
    }
    const finishNext = async (outcome: DeliveryOutcome): Promise<void> => {
      const leased = (await outbox.lease('w', T0 + 1, 30_000, ['webhook_dispatch']))!;
      expect(await outbox.finish(leased.record.id, 'w', outcome, T0 + 2)).toBe(true);
    };
    await finishNext({ state: 'unknown_outcome', error: { code: 'GW_UNKNOWN_OUTCOME', kind: 'unknown_outcome', message: 'lost' } });
    await finishNext({ state: 'delivered', result: { n: 1 }, provider: 'p' });
    await finishNext({ state: 'delivered', result: { n: 2 }, provider: 'p' });
    const kept = await outbox.list({ limit: 10 });
    expect(kept.map((d) => [d.idempotencyKey, d.state]).sort()).toEqual([
      ['k0', 'unknown_outcome'],
      ['k3', 'pending'],
      ['k4', 'pending'],
    ]);
    expect(await ledger.get('k1', T0 + 3)).toMatchObject({ state: 'succeeded', result: { n: 1 } });
  });
});
