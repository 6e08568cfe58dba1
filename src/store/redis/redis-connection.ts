/**
 * Redis connections from a store URL: `redis://[user:password@]host:port[/db][?prefix=aicmo:]`
 * (`rediss://` for TLS). The key prefix keeps several gateways (or test suites) apart on one
 * server. The description never contains the password.
 */
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisTarget {
  options: RedisOptions;
  /** Prefix of every key this gateway writes (default `aicmo:`). */
  prefix: string;
  /** The URL without credentials, for display. */
  description: string;
}

export function parseRedisUrl(url: string): RedisTarget {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis URL (scheme ${u.protocol})`);
  const db = u.pathname && u.pathname !== '/' ? Number.parseInt(u.pathname.slice(1), 10) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error('the database number after the host must be a non-negative integer');
  const options: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    maxRetriesPerRequest: null,
    lazyConnect: false,
  };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  const prefix = u.searchParams.get('prefix') ?? 'aicmo:';
  return {
    options,
    prefix,
    description: `${u.protocol}//${options.host}:${options.port}/${db}${prefix === 'aicmo:' ? '' : `?prefix=${prefix}`}`,
  };
}

export function openRedis(target: RedisTarget, name: string): Redis {
  const r = new Redis({ ...target.options, connectionName: name });
  // Connection errors are retried by ioredis; commands fail with their own errors. Never log the URL.
  r.on('error', () => undefined);
  return r;
}
