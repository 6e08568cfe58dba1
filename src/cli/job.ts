/**
 * `aicmo-gateway job submit FILE --capability X | status ID | list | pause ID | resume ID |
 * cancel ID | results ID`: bulk jobs on the config's SQLite or Redis store (src/delivery/jobs.ts).
 * The CLI writes to the same store as the server, whose worker drains the job; `submit
 * --wait` follows the job to its end (a progress bar on a TTY, a plain line every few seconds
 * otherwise) and `--drain` runs the outbox worker in this process as well, for a machine with
 * no server running. FILE is a JSON array or NDJSON (one item a line), read as a stream.
 * Exit 0 done, 1 the job ended with failed items, 3 could not run or not found, 64 bad arguments.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import type { JobService } from '../delivery/job-service.js';
import type { JobRecord } from '../delivery/jobs.js';
import { cliLogger } from './cli-logger.js';
import { isoTime, pad } from './format/text.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import { describeFailure, openGateway, type GlobalOptions, type OpenedGateway } from './open-gateway.js';
import { positiveInt } from './self-check.js';

type Run = (ctx: { opened: OpenedGateway; jobs: JobService }) => Promise<number>;

async function withJobs(io: CliIO, global: GlobalOptions, run: Run): Promise<number> {
  const opened = await openGateway(global, io, cliLogger(io.stderr), true);
  try {
    const jobs = opened.gateway.jobs;
    if (!jobs)
      throw new CliExit(
        EXIT.CANNOT_RUN,
        `jobs need a durable store (store: sqlite:<path> or redis://...); this config uses ${opened.storeLabel}`,
      );
    return await run({ opened, jobs });
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  } finally {
    await opened.close();
  }
}

/** The items of a file: a JSON array (parsed whole) or NDJSON (streamed line by line). */
async function* fileItems(path: string): AsyncGenerator<unknown> {
  const first = await firstCharacter(path);
  if (first === '[') {
    const { readFile } = await import('node:fs/promises');
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new CliExit(EXIT.USAGE, `${path}: a JSON file must hold an array of items`);
    yield* parsed;
    return;
  }
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield JSON.parse(text) as unknown;
    } catch {
      throw new CliExit(EXIT.USAGE, `${path}: line ${line} is not valid JSON`);
    }
  }
}

async function firstCharacter(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CliExit(EXIT.USAGE, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? describeFailure(error)}`);
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}

/** Items finished, of all. */
function done(j: JobRecord): number {
  return j.items - j.counts.pending - j.counts.in_progress;
}

function progressLine(j: JobRecord, tty: boolean): string {
  const share = j.items === 0 ? 1 : done(j) / j.items;
  const eta = j.etaSeconds === null ? '' : `, about ${j.etaSeconds} s left`;
  const figures = `${done(j)}/${j.items} (${Math.floor(share * 100)}%) ${j.state}, ${j.ratePerSecond}/s, delivered ${j.counts.delivered}, failed ${j.counts.failed + j.counts.dead + j.counts.unknown_outcome}${eta}`;
  if (!tty) return `${j.id}: ${figures}\n`;
  const width = 30;
  const filled = Math.round(share * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}\x1b[K`;
}

function summary(j: JobRecord): string {
  const counts = Object.entries(j.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const providers = Object.entries(j.providers)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ');
  return [
    `job ${j.id} (${j.capability}): ${j.state}, ${j.items} items${j.spread ? ', spread over the chain' : ''}`,
    `  created ${isoTime(j.createdAt)}`,
    `  ${counts || 'no items'}`,
    `  rate ${j.ratePerSecond}/s${j.etaSeconds === null ? '' : `, about ${j.etaSeconds} s left`}`,
    ...(providers ? [`  providers: ${providers}`] : []),
  ].join('\n');
}

/** Exit code of a finished job: 1 when some items did not succeed. */
function exitOf(j: JobRecord): number {
  return j.counts.failed + j.counts.dead + j.counts.unknown_outcome > 0 ? EXIT.WARNING : EXIT.OK;
}

export function jobCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  const out = (s: string): void => void io.stdout.write(s);
  const clock = io.clock ?? systemClock;
  const cmd = new Command('job').description('Submit and follow bulk jobs (SQLite or Redis store)');
  const found = async (jobs: JobService, id: string): Promise<JobRecord> => {
    const j = await jobs.get(id);
    if (!j) throw new CliExit(EXIT.CANNOT_RUN, `job ${id} is not known`);
    return j;
  };

  cmd
    .command('submit <file>')
    .description('Store the items of FILE (JSON array or NDJSON) as a job')
    .requiredOption('--capability <name>', 'the capability of every item')
    .option('--key <key>', 'idempotency key of the job (submitting it again stores nothing)')
    .option('--spread', 'drain across every provider of the chain')
    .option('--no-spread', 'keep the chain order (a busy first provider is waited for)')
    .option('--wait', 'follow the job until it ends')
    .option('--drain', 'also run the outbox worker in this process (implies --wait)')
    .option('--json', 'print the job as JSON')
    .action(
      async (file: string, o: { capability: string; key?: string; spread?: boolean; wait?: boolean; drain?: boolean; json?: boolean }) => {
        setExit(
          await withJobs(io, global(), async ({ opened, jobs }) => {
            const submitted = await jobs.submit(o.capability, fileItems(resolve(io.cwd, file)), {
              ...(o.key === undefined ? {} : { key: o.key }),
              ...(o.spread === undefined ? {} : { spread: o.spread }),
            });
            let job = submitted.job;
            if (!o.json)
              out(`${submitted.created ? 'stored' : 'already submitted under this key:'} job ${job.id} with ${job.items} items\n`);
            if (o.drain) opened.gateway.start({ periodicChecks: false });
            if (o.wait || o.drain) job = await follow(jobs, job.id, io, clock);
            if (o.json) out(`${JSON.stringify(job, null, 2)}\n`);
            else if (o.wait || o.drain) out(`${summary(job)}\n`);
            if (o.drain) await opened.gateway.stop();
            return o.wait || o.drain ? exitOf(job) : EXIT.OK;
          }),
        );
      },
    );

  cmd
    .command('status <id>')
    .description('Counts per state, rate, ETA and providers of a job')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      setExit(
        await withJobs(io, global(), async ({ jobs }) => {
          const j = await found(jobs, id);
          out(o.json ? `${JSON.stringify(j, null, 2)}\n` : `${summary(j)}\n`);
          return EXIT.OK;
        }),
      );
    });

  cmd
    .command('list')
    .description('Jobs, newest first')
    .option('--limit <n>', 'at most n jobs', positiveInt, 20)
    .option('--json', 'print JSON')
    .action(async (o: { limit: number; json?: boolean }) => {
      setExit(
        await withJobs(io, global(), async ({ jobs }) => {
          const list = await jobs.list(o.limit);
          if (o.json) out(`${JSON.stringify({ jobs: list }, null, 2)}\n`);
          else {
            out(`${pad('ID', 38)} ${pad('CAPABILITY', 20)} ${pad('STATE', 10)} ${pad('DONE', 16)} CREATED\n`);
            for (const j of list)
              out(
                `${pad(j.id, 38)} ${pad(j.capability, 20)} ${pad(j.state, 10)} ${pad(`${done(j)}/${j.items}`, 16)} ${isoTime(j.createdAt)}\n`,
              );
          }
          return EXIT.OK;
        }),
      );
    });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    cmd
      .command(`${action} <id>`)
      .description(
        action === 'pause'
          ? 'Hold the items not yet started'
          : action === 'resume'
            ? 'Send the held items again'
            : 'End the items not yet started as cancelled',
      )
      .action(async (id: string) => {
        setExit(
          await withJobs(io, global(), async ({ jobs }) => {
            await found(jobs, id);
            const j = (await jobs.control(id, action))!;
            out(`${summary(j)}\n`);
            return EXIT.OK;
          }),
        );
      });
  }

  cmd
    .command('results <id>')
    .description('One JSON line per item, in position order')
    .option('--failures', 'only the items that were not delivered')
    .action(async (id: string, o: { failures?: boolean }) => {
      setExit(
        await withJobs(io, global(), async ({ jobs }) => {
          await found(jobs, id);
          for await (const line of jobs.results(id, { failures: o.failures === true })) out(`${JSON.stringify(line)}\n`);
          return EXIT.OK;
        }),
      );
    });

  return cmd;
}

/** Polls the job until it is no longer running (or the operator presses Ctrl+C), printing its progress. */
async function follow(
  jobs: JobService,
  id: string,
  io: CliIO,
  clock: { now(): number; sleep(ms: number): Promise<void> },
): Promise<JobRecord> {
  const tty = io.stderr.isTTY === true;
  let lastPlain = -Infinity;
  for (;;) {
    const j = (await jobs.get(id))!;
    const finished = j.state !== 'running' && j.state !== 'receiving';
    if (tty) io.stderr.write(progressLine(j, true) + (finished ? '\n' : ''));
    else if (finished || clock.now() - lastPlain >= 5_000) {
      io.stderr.write(progressLine(j, false));
      lastPlain = clock.now();
    }
    if (finished || io.signal?.aborted) return j;
    await clock.sleep(tty ? 200 : 500);
  }
}
