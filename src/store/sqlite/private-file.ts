/**
 * Database files hold recipients, request bodies and provider state: they are created readable
 * by their owner only (0600; SQLite gives the -wal and -shm files the same mode), in a directory
 * created 0700 when it does not exist yet. An existing file is tightened to 0600.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export function preparePrivateDbFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}
