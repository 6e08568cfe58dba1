/**
 * Crash test: a gateway process under load is killed with SIGKILL at random moments and
 * restarted, several times. Clients retry with the same idempotency key until they get an
 * answer. Afterwards: every key answered 200 or 202 was delivered exactly once, no key was
 * delivered twice, and a key delivered without a 200/202 is one the gateway reports as
 * unknown_outcome.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { killHard, startGatewayChild, type GatewayChild } from '../harness/gateway-child.js';

const CHILD = join(import.meta.dirname, 'gateway-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startChild(dir: string, log: string): Promise<GatewayChild> {
  return startGatewayChild(CHILD, { CRASH_DIR: dir, CRASH_DELIVERIES: log });
}

type Answer = { status: number; code?: string };

describe('crash test: SIGKILL under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aicmo-crash-'));
  const log = join(dir, 'deliveries.log');
  let child: GatewayChild | undefined;
  afterAll(async () => {
    if (child) await killHard(child.proc);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every 200/202 exactly once and nothing else except reported unknown outcomes', { timeout: 120_000 }, async () => {
    child = await startChild(dir, log);
    const answers = new Map<string, Answer>();
    const open = new Set<string>(); // sent, not yet answered (retried with the same key)
    let next = 0;
    let producing = true;
    const send = async (key: string): Promise<void> => {
      const port = child!.port;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/capabilities/webhook_dispatch`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': key,
            ...(Number(key.slice(2)) % 5 === 0 ? { prefer: 'respond-async' } : {}),
          },
          body: JSON.stringify({ event: 'crash.test', payload: { key } }),
        });
        const body = (await res.json()) as { error?: { code?: string } };
        if (res.status === 409) return; // still in flight: ask again later
        answers.set(key, body.error?.code ? { status: res.status, code: body.error.code } : { status: res.status });
        open.delete(key);
      } catch {
        await sleep(50); // the gateway is down: ask again with the same key
      }
    };
    const client = async (): Promise<void> => {
      while (producing || open.size > 0) {
        const pending = [...open].find(() => Math.random() < 0.3);
        let key = pending;
        if (!key && producing) {
          key = `k-${next++}`;
          open.add(key);
        }
        if (!key) {
          await sleep(20);
          continue;
        }
        await send(key);
      }
    };
    const clients = Array.from({ length: 6 }, client);
    let kills = 0;
    for (; kills < 5; kills++) {
      await sleep(300 + Math.random() * 700);
      await killHard(child.proc);
      child = await startChild(dir, log);
    }
    await sleep(500);
    producing = false;
    await Promise.race([Promise.all(clients), sleep(60_000)]);
    expect(open.size).toBe(0);

    // Let the outbox drain (a crashed worker's lease expires after leaseMs).
    const until = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${child.port}/v1/deliveries?limit=1`);
      const counts = ((await res.json()) as { counts: Record<string, number> }).counts;
      if (counts.pending === 0 && counts.in_progress === 0) break;
      if (Date.now() > until) throw new Error(`outbox did not drain: ${JSON.stringify(counts)}`);
      await sleep(100);
    }
    await killHard(child.proc);
    child = undefined;

    const delivered = new Map<string, number>();
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const key = line.split(' ')[0];
      if (key) delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
    const db = new Database(join(dir, 'gw.delivery.db'), { readonly: true });
    const now = Date.now();
    const unknownKeys = new Set([
      ...(
        db.prepare("SELECT key FROM ledger WHERE state = 'unknown_outcome' OR (state = 'in_flight' AND lease_until <= ?)").all(now) as {
          key: string;
        }[]
      ).map((r) => r.key),
      ...(db.prepare("SELECT idempotency_key AS key FROM outbox WHERE state = 'unknown_outcome'").all() as { key: string }[]).map(
        (r) => r.key,
      ),
    ]);
    const outboxStates = new Map(
      (db.prepare('SELECT idempotency_key AS key, state FROM outbox').all() as { key: string; state: string }[]).map((r) => [
        r.key,
        r.state,
      ]),
    );
    db.close();

    const problems: string[] = [];
    let ok200 = 0;
    let ok202 = 0;
    for (const [key, n] of delivered) if (n > 1) problems.push(`${key} delivered ${n} times`);
    for (const [key, a] of answers) {
      const n = delivered.get(key) ?? 0;
      const unknown = unknownKeys.has(key);
      if (a.status === 200) {
        ok200++;
        if (n !== 1) problems.push(`${key}: 200 but delivered ${n} times`);
      } else if (a.status === 202) {
        ok202++;
        if (n !== 1 && !(unknown && n === 0)) problems.push(`${key}: 202 but delivered ${n} times (outbox ${outboxStates.get(key)})`);
      } else if (n > 0 && !unknown) problems.push(`${key}: answered ${a.status} ${a.code} but delivered ${n} times`);
    }
    for (const key of delivered.keys()) if (!answers.has(key)) problems.push(`${key}: delivered but never sent`);
    console.log(
      `crash test: ${answers.size} requests, ${kills} kills, ${ok200} x 200, ${ok202} x 202, ${unknownKeys.size} unknown_outcome reported, ${delivered.size} keys delivered`,
    );
    expect(problems).toEqual([]);
    expect(kills).toBe(5);
    expect(ok200).toBeGreaterThan(100);
    expect(ok202).toBeGreaterThan(10);
    expect(existsSync(log)).toBe(true);
  });
});
