/**
 * Opens a store from its URL: `memory:`, `sqlite:<path>` or `redis://host:port` (a relative
 * SQLite path resolves against `cwd`, default the working directory). The one place a store URL
 * is read: the Gateway, the CLI and the server all open their store here. An unknown scheme or a
 * store that cannot be opened throws GatewayError GW_CONFIG_INVALID naming the URL scheme, never
 * the full URL (it may hold a password).
 */
import { isAbsolute, resolve } from 'node:path';
import { GatewayError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { MemoryStore } from './memory/memory-store.js';
import type { RetentionPolicy } from './retention.js';
import { RedisStore } from './redis/redis-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export const DEFAULT_STORE_URL = 'sqlite:./data/gateway.db';

export interface OpenStoreOptions {
  /** The directory a relative SQLite path resolves against (default `process.cwd()`). */
  cwd?: string;
  retention?: Partial<RetentionPolicy>;
  clock?: Clock;
  busyTimeoutMs?: number;
}

/** The history retention the config's `monitoring` section asks for. */
export function retentionOf(monitoring: { historyMaxCount: number; historyMaxAgeHours: number }): Partial<RetentionPolicy> {
  return { historyMaxCount: monitoring.historyMaxCount, historyMaxAgeMs: monitoring.historyMaxAgeHours * 3_600_000 };
}

export function openStore(url: string = DEFAULT_STORE_URL, opts: OpenStoreOptions = {}): Store {
  const scheme = url.slice(0, url.indexOf(':') + 1);
  if (url === 'memory:' || url === 'memory') return new MemoryStore(opts);
  if (scheme === 'sqlite:') {
    const given = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!given) throw invalid('sqlite: needs a file path, e.g. sqlite:./data/gateway.db');
    const path = given === ':memory:' || isAbsolute(given) ? given : resolve(opts.cwd ?? process.cwd(), given);
    try {
      return new SqliteStore(path, opts);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatewayError('GW_CONFIG_INVALID', `Cannot open the SQLite store at ${path}: ${reason}`, {
        details: { problems: [{ path: 'store', message: reason }] },
      });
    }
  }
  if (scheme === 'redis:' || scheme === 'rediss:') {
    try {
      return new RedisStore(url, {
        ...(opts.retention ? { retention: opts.retention } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
    } catch (e) {
      throw invalid(`cannot use the redis URL (${e instanceof Error ? e.message : 'invalid'})`);
    }
  }
  throw invalid(`unsupported store URL scheme "${scheme || url.slice(0, 16)}" (use memory:, sqlite:<path> or redis://host:port)`);
}

function invalid(message: string): GatewayError {
  return new GatewayError('GW_CONFIG_INVALID', `Invalid store URL: ${message}`, {
    details: { problems: [{ path: 'store', message }] },
  });
}
