import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { isGatewayError } from '../../src/core/errors.js';
import { storeConformance } from './store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-sqlite-'));
let n = 0;
let current = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance('sqlite', {
  open: async ({ clock, retention }) => {
    current = join(dir, `db-${n++}`, 'gateway.db');
    return openStore(`sqlite:${current}`, retention ? { clock, retention } : { clock });
  },
  reopen: async ({ clock }) => openStore(`sqlite:${current}`, { clock }),
});

describe('SQLite store specifics', () => {
  it('creates the directory, uses WAL and records the schema version', async () => {
    const path = join(dir, 'nested', 'deeper', 'g.db');
    const s = openStore(`sqlite:${path}`);
    await s.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database from a newer schema with GW_CONFIG_INVALID', async () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    let caught: unknown;
    try {
      openStore(`sqlite:${path}`);
    } catch (e) {
      caught = e;
    }
    expect(isGatewayError(caught) && caught.code).toBe('GW_CONFIG_INVALID');
  });

  it('rejects unknown schemes and empty paths with GW_CONFIG_INVALID', () => {
    for (const url of ['postgres://u:p@h/db', 'sqlite:']) {
      let caught: unknown;
      try {
        openStore(url);
      } catch (e) {
        caught = e;
      }
      expect(isGatewayError(caught) && caught.code).toBe('GW_CONFIG_INVALID');
      expect(String((caught as Error).message)).not.toContain('u:p');
    }
  });

  it("two connections see each other's writes", async () => {
    const path = join(dir, 'shared.db');
    const a = openStore(`sqlite:${path}`);
    const b = openStore(`sqlite:${path}`);
    await a.appendHealthChecks([{ provider: 'p', capability: 'c', timestamp: 1, success: true, latencyMs: 1, source: 'probe' }]);
    expect(await b.countHealthChecks()).toBe(1);
    await a.close();
    await b.close();
  });
});
