/** ProviderState on a Redis hash per provider; values stored as JSON. */
import type { Redis } from 'ioredis';
import type { ProviderState } from '../provider-data.js';

export class RedisProviderState implements ProviderState {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async get<T = unknown>(field: string): Promise<T | undefined> {
    const v = await this.redis.hget(this.key, field);
    return v === null ? undefined : (JSON.parse(v) as T);
  }

  async set(field: string, value: unknown): Promise<void> {
    await this.redis.hset(this.key, field, JSON.stringify(value ?? null));
  }

  async delete(field: string): Promise<void> {
    await this.redis.hdel(this.key, field);
  }
}
