/**
 * `aicmo-gateway outbox list | show | retry | purge | resolve`: the durable outbox and the
 * idempotency ledger, for operators. Works on the store of the config (SQLite delivery
 * database, or Redis/BullMQ). Exit 0 done, 3 could not run or nothing found, 64 bad arguments.
 */
import { Command, Option } from 'commander';
import { systemClock } from '../core/clock.js';
import { resolveDeliveryRecommendations } from '../delivery/dead-letter.js';
import type { DeliveryService } from '../delivery/delivery-service.js';
import { DELIVERY_STATES, FINISHED_STATES, type DeliveryQuery, type DeliveryRecord, type DeliveryState } from '../delivery/outbox.js';
import { cliLogger } from './cli-logger.js';
import { isoTime, pad } from './format/text.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import { describeFailure, openGateway, type GlobalOptions, type OpenedGateway } from './open-gateway.js';
import { positiveInt } from './self-check.js';

type Run = (ctx: { opened: OpenedGateway; service: DeliveryService; now: number }) => Promise<number>;

/** Opens the gateway of the config read-only and hands its delivery service to `run`. */
async function withDelivery(io: CliIO, global: GlobalOptions, run: Run): Promise<number> {
  const opened = await openGateway(global, io, cliLogger(io.stderr), true);
  try {
    return await run({ opened, service: opened.gateway.delivery, now: (io.clock ?? systemClock).now() });
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  } finally {
    await opened.close();
  }
}

function row(r: DeliveryRecord, now: number): string {
  const next = r.nextAttemptAt === null ? '-' : r.nextAttemptAt <= now ? 'due' : `in ${Math.ceil((r.nextAttemptAt - now) / 1000)} s`;
  const err = r.lastError ? `${r.lastError.code}` : '';
  return `${pad(r.id, 38)} ${pad(r.state, 16)} ${pad(r.capability, 24)} ${pad(String(r.attempts), 8)} ${pad(isoTime(r.createdAt), 25)} ${pad(next, 10)} ${err}`;
}

export function outboxCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  const out = (s: string): void => void io.stdout.write(s);
  const cmd = new Command('outbox').description('Show and control the durable outbox and the idempotency ledger');

  cmd
    .command('list')
    .description('List deliveries, newest first, with counts per state')
    .addOption(new Option('--state <state>', 'only this state').choices([...DELIVERY_STATES]))
    .option('--capability <name>', 'only this capability')
    .option('--limit <n>', 'at most n deliveries', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (o: { state?: DeliveryState; capability?: string; limit: number; json?: boolean }) => {
      setExit(
        await withDelivery(io, global(), async ({ service, now }) => {
          const outbox = service.outbox!;
          const q: DeliveryQuery = { limit: o.limit };
          if (o.state) q.state = o.state;
          if (o.capability) q.capability = o.capability;
          const [list, counts] = [await outbox.list(q), await outbox.counts()];
          if (o.json) out(`${JSON.stringify({ counts, deliveries: list }, null, 2)}\n`);
          else {
            out(`${DELIVERY_STATES.map((s) => `${s} ${counts[s]}`).join(' | ')}\n\n`);
            out(
              `${pad('ID', 38)} ${pad('STATE', 16)} ${pad('CAPABILITY', 24)} ${pad('ATTEMPTS', 8)} ${pad('CREATED', 25)} ${pad('NEXT', 10)} LAST ERROR\n`,
            );
            for (const r of list) out(`${row(r, now)}\n`);
            if (list.length === 0) out('(no deliveries)\n');
          }
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('show')
    .description('Show one delivery (by id) or what the ledger holds for an idempotency key')
    .argument('<id-or-key>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      setExit(
        await withDelivery(io, global(), async ({ service, now }) => {
          const delivery = (await service.outbox?.get(id)) ?? (await service.lookup(id))?.delivery;
          const entry = (await service.lookup(delivery?.idempotencyKey ?? id))?.entry;
          if (!delivery && !entry) throw new CliExit(EXIT.CANNOT_RUN, `no delivery or idempotency key "${id}"`);
          if (o.json) out(`${JSON.stringify({ delivery: delivery ?? null, ledger: entry ?? null }, null, 2)}\n`);
          else {
            if (delivery) {
              out(`Delivery ${delivery.id}: ${delivery.state} (${delivery.capability}, key ${delivery.idempotencyKey})\n`);
              out(`  created ${isoTime(delivery.createdAt)}, updated ${isoTime(delivery.updatedAt)}, attempts ${delivery.attempts}\n`);
              if (delivery.nextAttemptAt !== null)
                out(`  next attempt ${delivery.nextAttemptAt <= now ? 'due now' : isoTime(delivery.nextAttemptAt)}\n`);
              if (delivery.provider) out(`  delivered by ${delivery.provider}\n`);
              if (delivery.lastError)
                out(`  last error ${delivery.lastError.code} (${delivery.lastError.kind}): ${delivery.lastError.message}\n`);
              out(`  request ${JSON.stringify(delivery.request)}\n`);
            }
            if (entry)
              out(
                `Ledger ${entry.key}: ${entry.state}${entry.resolvedBy ? ` (resolved by ${entry.resolvedBy})` : ''}, expires ${isoTime(entry.expiresAt)}\n`,
              );
          }
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('retry')
    .description('Deliver a dead, failed or waiting delivery again now (its age starts again)')
    .argument('<id>')
    .action(async (id: string) => {
      setExit(
        await withDelivery(io, global(), async ({ opened, service, now }) => {
          const rec = await service.outbox!.retry(id, now);
          if (!rec) throw new CliExit(EXIT.CANNOT_RUN, `no delivery "${id}"`);
          if (rec.state !== 'pending') throw new CliExit(EXIT.CANNOT_RUN, `delivery ${id} is ${rec.state}: nothing to retry`);
          await resolveDeliveryRecommendations(opened.store, rec, now);
          out(`Delivery ${id} is pending again; a running gateway delivers it.\n`);
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('purge')
    .description('Delete finished deliveries (delivered, failed, dead, unknown_outcome by default)')
    .option('--id <id>', 'only this delivery')
    .addOption(new Option('--state <state...>', 'only these states (pending work only when named)').choices([...DELIVERY_STATES]))
    .option('--older-than-hours <h>', 'only deliveries last updated more than h hours ago', Number)
    .action(async (o: { id?: string; state?: DeliveryState[]; olderThanHours?: number }) => {
      setExit(
        await withDelivery(io, global(), async ({ opened, service, now }) => {
          const q: Parameters<NonNullable<DeliveryService['outbox']>['purge']>[0] = { states: o.state ?? FINISHED_STATES };
          if (o.id) q.id = o.id;
          if (o.olderThanHours !== undefined && Number.isFinite(o.olderThanHours)) q.olderThan = now - o.olderThanHours * 3_600_000;
          const target = o.id ? await service.outbox!.get(o.id) : undefined;
          const n = await service.outbox!.purge(q);
          if (target && n > 0) await resolveDeliveryRecommendations(opened.store, target, now);
          out(`Purged ${n} deliver${n === 1 ? 'y' : 'ies'}.\n`);
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('resolve')
    .description(
      'Resolve an unknown outcome by idempotency key: --delivered (done) or --not-delivered (queued deliveries are sent again; a synchronous key is freed)',
    )
    .argument('<key>')
    .option('--delivered', 'the provider did receive it')
    .option('--not-delivered', 'the provider did not receive it')
    .action(async (key: string, o: { delivered?: boolean; notDelivered?: boolean }, c: Command) => {
      if (Boolean(o.delivered) === Boolean(o.notDelivered))
        c.error('error: give exactly one of --delivered and --not-delivered', { exitCode: EXIT.USAGE, code: 'cli.usage' });
      setExit(
        await withDelivery(io, global(), async ({ opened, service, now }) => {
          const before = await service.lookup(key);
          const entry = await service.resolve(key, Boolean(o.delivered));
          if (!before) throw new CliExit(EXIT.CANNOT_RUN, `no idempotency key "${key}" in the ledger (expired or never used)`);
          if (before.delivery) await resolveDeliveryRecommendations(opened.store, before.delivery, now);
          out(entry ? `Key ${key} is now ${entry.state}.\n` : `Key ${key} is released: the caller may send it again.\n`);
          return EXIT.OK;
        }),
      );
    });
  return cmd;
}
