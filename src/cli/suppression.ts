/**
 * `aicmo-gateway suppression list | add | remove | import | export`: the suppression list of the
 * config's store (SQLite or Redis; the same list the server checks before every email).
 * Exit 0 done, 1 nothing to remove, 3 the store cannot be opened, 64 bad arguments or a CSV with
 * bad rows (nothing imported).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { systemClock } from '../core/clock.js';
import { isGatewayError } from '../core/errors.js';
import { suppressionsFromCsv, suppressionsToCsv } from '../deliverability/suppression-csv.js';
import { SUPPRESSION_REASONS, type SuppressionEntry, type SuppressionReason } from '../store/mail-data.js';
import { openStore, retentionOf } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { isoTime, pad } from './format/text.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import { describeFailure, loadCliConfig, type GlobalOptions } from './open-gateway.js';
import { positiveInt } from './self-check.js';

const PAGE = 5_000;
const email = z.email();

async function withStore(io: CliIO, global: GlobalOptions, run: (store: Store, now: number) => Promise<number>): Promise<number> {
  const { config } = loadCliConfig(global, io);
  let store: Store;
  try {
    store = openStore(config.store, { ...(io.clock ? { clock: io.clock } : {}), cwd: io.cwd, retention: retentionOf(config.monitoring) });
    await store.suppressions().count();
  } catch (error) {
    throw new CliExit(EXIT.CANNOT_RUN, `store unreachable: ${describeFailure(error)}`);
  }
  try {
    return await run(store, (io.clock ?? systemClock).now());
  } catch (error) {
    if (error instanceof CliExit) throw error;
    if (isGatewayError(error) && error.code === 'GW_INVALID_REQUEST') throw new CliExit(EXIT.USAGE, describeFailure(error));
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  } finally {
    await store.close();
  }
}

function address(value: string): string {
  if (!email.safeParse(value).success) throw new CliExit(EXIT.USAGE, `"${value}" is not an email address`);
  return value;
}

const row = (e: SuppressionEntry): string =>
  `${pad(e.address, 40)} ${pad(e.reason, 12)} ${pad(e.source, 20)} ${pad(isoTime(e.at), 25)} ${e.detail ?? ''}`;

export function suppressionCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  const out = (s: string): void => void io.stdout.write(s);
  const cmd = new Command('suppression').description('Show and edit the suppression list (addresses never sent to)');
  const reason = () => new Option('--reason <reason>', 'why').choices([...SUPPRESSION_REASONS]);

  cmd
    .command('list')
    .description('List suppressed addresses in address order')
    .addOption(reason())
    .option('--after <address>', 'start after this address (paging)')
    .option('--limit <n>', 'at most n entries', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (o: { reason?: SuppressionReason; after?: string; limit: number; json?: boolean }) => {
      setExit(
        await withStore(io, global(), async (store) => {
          const list = store.suppressions();
          const entries = await list.list({
            limit: o.limit,
            ...(o.reason ? { reason: o.reason } : {}),
            ...(o.after ? { after: o.after.toLowerCase() } : {}),
          });
          const total = await list.count();
          if (o.json) out(`${JSON.stringify({ total, suppressions: entries }, null, 2)}\n`);
          else {
            out(`${total} suppressed\n\n${pad('ADDRESS', 40)} ${pad('REASON', 12)} ${pad('SOURCE', 20)} ${pad('SINCE', 25)} DETAIL\n`);
            for (const e of entries) out(`${row(e)}\n`);
            if (entries.length === 0) out('(none)\n');
          }
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('add')
    .description('Suppress an address')
    .argument('<address>')
    .addOption(reason().default('manual'))
    .option('--detail <text>', 'why, in words')
    .action(async (value: string, o: { reason: SuppressionReason; detail?: string }) => {
      const a = address(value);
      setExit(
        await withStore(io, global(), async (store, now) => {
          const added = await store
            .suppressions()
            .add({ address: a, reason: o.reason, source: 'cli', at: now, ...(o.detail ? { detail: o.detail.slice(0, 300) } : {}) });
          out(`${a.toLowerCase()} ${added ? 'suppressed' : 'was suppressed already: entry replaced'} (${o.reason})\n`);
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('remove')
    .description('Let mail go to an address again')
    .argument('<address>')
    .action(async (value: string) => {
      const a = address(value);
      setExit(
        await withStore(io, global(), async (store) => {
          if (await store.suppressions().remove(a)) {
            out(`${a.toLowerCase()} removed from the suppression list\n`);
            return EXIT.OK;
          }
          io.stderr.write(`${a.toLowerCase()} is not suppressed\n`);
          return EXIT.WARNING;
        }),
      );
    });

  cmd
    .command('import')
    .description('Add the entries of a CSV file (header: address[,reason,source,at,detail]); a file with a bad row imports nothing')
    .argument('<file>')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, file), 'utf8');
      } catch (error) {
        throw new CliExit(EXIT.USAGE, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
      setExit(
        await withStore(io, global(), async (store, now) => {
          const entries = suppressionsFromCsv(text, now);
          let added = 0;
          for (const e of entries) if (await store.suppressions().add(e)) added++;
          out(`imported ${entries.length} entries: ${added} new, ${entries.length - added} replaced\n`);
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('export')
    .description('Write the whole list as CSV (to a file, or to stdout)')
    .argument('[file]')
    .action(async (file: string | undefined) => {
      setExit(
        await withStore(io, global(), async (store) => {
          let csv = '';
          let after: string | undefined;
          for (let first = true; ; first = false) {
            const page = await store.suppressions().list({ limit: PAGE, ...(after ? { after } : {}) });
            csv += suppressionsToCsv(page, first);
            if (page.length < PAGE) break;
            after = page.at(-1)!.address;
          }
          if (file) writeFileSync(resolve(io.cwd, file), csv);
          else out(csv);
          return EXIT.OK;
        }),
      );
    });

  return cmd;
}
