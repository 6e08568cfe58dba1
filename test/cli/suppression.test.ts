/**
 * `aicmo-gateway suppression …` on a real SQLite store in a temp directory: add, list, remove,
 * export and import (a file with a bad row imports nothing), and what the server sees after.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, tempDir, writeConfig } from './helpers.js';

const tmp = tempDir();
writeConfig(tmp.dir, {
  mode: 'dry_run',
  store: 'sqlite:./gw.db',
  logLevel: 'silent',
  capabilities: { email_sending: { providers: [{ name: 'mail', type: 'smtp' }] } },
});
afterAll(() => tmp.cleanup());
const run = (...args: string[]) => cli(['suppression', ...args], { cwd: tmp.dir });

describe('aicmo-gateway suppression', () => {
  it('adds, lists, exports, removes; import refuses a file with a bad row and imports nothing', async () => {
    expect(await run('add', 'Ada@Example.com', '--reason', 'complaint', '--detail', 'called support')).toMatchObject({
      code: 0,
      stdout: 'ada@example.com suppressed (complaint)\n',
    });
    expect((await run('add', 'not-an-address')).code).toBe(64);
    expect((await run('add', 'x@example.com', '--reason', 'bored')).code).toBe(64);

    writeFileSync(join(tmp.dir, 'good.csv'), 'address,reason\nbo@example.com,hard_bounce\ncy@example.com,\n');
    expect(await run('import', 'good.csv')).toMatchObject({ code: 0, stdout: 'imported 2 entries: 2 new, 0 replaced\n' });
    writeFileSync(join(tmp.dir, 'bad.csv'), 'address,reason\ndee@example.com,manual\nnope,manual\n');
    const bad = await run('import', 'bad.csv');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('row 3.address');

    const list = await run('list', '--json');
    expect(JSON.parse(list.stdout)).toMatchObject({
      total: 3,
      suppressions: [
        { address: 'ada@example.com', reason: 'complaint', source: 'cli', detail: 'called support' },
        { address: 'bo@example.com', reason: 'hard_bounce', source: 'import' },
        { address: 'cy@example.com', reason: 'manual', source: 'import' },
      ],
    });
    expect((await run('list', '--reason', 'hard_bounce')).stdout).toMatch(
      /^3 suppressed\n\nADDRESS .*\nbo@example\.com +hard_bounce +import /,
    );

    const exported = await run('export');
    expect(exported.stdout.split('\n')[0]).toBe('address,reason,source,at,detail');
    expect(exported.stdout.split('\n')).toHaveLength(5);

    expect(await run('remove', 'BO@example.com')).toMatchObject({ code: 0, stdout: 'bo@example.com removed from the suppression list\n' });
    expect(await run('remove', 'bo@example.com')).toMatchObject({ code: 1, stderr: 'bo@example.com is not suppressed\n' });

    // The server's store is the same list.
    const store = new SqliteStore(join(tmp.dir, 'gw.db'));
    expect((await store.suppressions().list()).map((e) => e.address)).toEqual(['ada@example.com', 'cy@example.com']);
    await store.close();
  });
});
