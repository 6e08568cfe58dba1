/**
 * A leader lease on Redis: `SET <prefix>leader:<name> <instance> NX PX ttl`, renewed by its
 * holder every ttl/3 with a compare-and-extend script. One instance holds it at a time; when the
 * holder dies the key expires and another takes over. The holder stops calling itself leader
 * as soon as a renewal fails or its lease (by its own clock, minus a margin) runs out.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface LeaderLeaseOptions {
  redis: Redis;
  prefix: string;
  /** What the lease is for (`self-check`). */
  name: string;
  ttlMs?: number;
  instanceId?: string;
  onChange?: (leader: boolean) => void;
}

export class LeaderLease {
  readonly instanceId: string;
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly ttlMs: number;
  private readonly key: string;

  constructor(private readonly o: LeaderLeaseOptions) {
    this.instanceId = o.instanceId ?? randomUUID();
    this.ttlMs = o.ttlMs ?? 10_000;
    this.key = `${o.prefix}leader:${o.name}`;
  }

  /** True while this instance holds an unexpired lease. */
  get isLeader(): boolean {
    return Date.now() < this.validUntil;
  }

  private stopped = false;

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    const loop = (): void => {
      void this.tick().finally(() => {
        if (this.timer) this.timer = setTimeout(loop, Math.max(50, Math.floor(this.ttlMs / 3))).unref();
      });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true; // a renewal still in flight must not make this instance leader again
    const was = this.isLeader;
    this.validUntil = 0;
    await this.o.redis.eval(RELEASE, 1, this.key, this.instanceId).catch(() => undefined);
    if (was) this.o.onChange?.(false);
  }

  /** One acquire-or-renew round. */
  async tick(): Promise<boolean> {
    const was = this.isLeader;
    const started = Date.now();
    let held: boolean;
    try {
      held = was
        ? Number(await this.o.redis.eval(RENEW, 1, this.key, this.instanceId, String(this.ttlMs))) === 1
        : (await this.o.redis.set(this.key, this.instanceId, 'PX', this.ttlMs, 'NX')) === 'OK';
    } catch {
      held = false;
    }
    if (this.stopped) return false;
    // The lease counts from before the round trip, with a 10 % margin for clock drift.
    this.validUntil = held ? started + Math.floor(this.ttlMs * 0.9) : 0;
    if (held !== was) this.o.onChange?.(held);
    return held;
  }

  /** Who holds the lease now (any instance), or null. */
  holder(): Promise<string | null> {
    return this.o.redis.get(this.key);
  }
}
