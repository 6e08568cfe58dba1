import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('kill -9 of a process writing in a loop leaves a readable, consistent database', async () => {
  const path = join(dir, 'crash.db');
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'sqlite-writer.ts'), path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
  // Let it write for a while, concurrently with our reads.
  const reader = openStore(`sqlite:${path}`);
  let seen = 0;
  for (let t = 0; t < 50 && seen < 300; t++) {
    await new Promise((r) => setTimeout(r, 50));
    seen = await reader.countHealthChecks();
  }
  await reader.close();
  expect(seen).toBeGreaterThan(0);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const raw = new Database(path);
  expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  raw.close();
  const after = openStore(`sqlite:${path}`);
  const n = await after.countHealthChecks();
  expect(n).toBeGreaterThanOrEqual(Math.min(seen, 500));
  expect(n).toBeLessThanOrEqual(500 + 50);
  const newest = await after.queryHealthChecks({ limit: 1 });
  expect(newest[0]!.metadata!.pad).toHaveLength(200);
  expect((await after.loadSnapshots())[0]!.provider).toBe('p0');
  await after.appendHealthChecks([{ provider: 'x', capability: 'c', timestamp: Date.now(), success: true, latencyMs: 1, source: 'probe' }]);
  await after.close();
});
