/**
 * `self-check --watch`: a full check now, then periodic checks; a status line every 60 s.
 * Ctrl+C (the io signal) stops the schedule, waits at most 1.5 s for the run in flight, and
 * prints the final summary, so the process exits within 2 s.
 */
import type { ProviderChain } from '../core/chain.js';
import type { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import type { SelfCheckService } from '../monitoring/self-check-service.js';
import { isoTime, percent } from './format/text.js';
import type { CliIO } from './io.js';
import { printReport } from './report-output.js';
import { liveChains } from './status-source.js';

export interface WatchOptions {
  io: CliIO;
  registry: SelfCheckRegistry;
  service: SelfCheckService;
  chains: readonly ProviderChain[];
  intervalSeconds: number;
  json: boolean;
  base: { mode: string; configFile: string; store: string };
  statusEveryMs?: number;
}

const STOP_GRACE_MS = 1_500;

export async function watchLoop(o: WatchOptions): Promise<number> {
  const { io, registry, service } = o;
  const statusLine = async (): Promise<void> => {
    const r = await registry.getStatusReport({ chains: liveChains(o.chains), recentLimit: 0 });
    const a = r.summary.activeRecommendations;
    const line = `${isoTime(r.generatedAt)}  ${r.summary.overall.toUpperCase()}  providers ${r.summary.providersTracked}  checks ${r.summary.checksRecorded}  success ${percent(r.summary.successRate)}  recommendations ${a.critical} critical, ${a.warning} warning, ${a.info} info`;
    (o.json ? io.stderr : io.stdout).write(`${line}\n`);
  };
  const stopped = new Promise<void>((resolve) => {
    if (!io.signal) return;
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });

  const first = service.runFullCheck(o.chains).then(statusLine);
  await Promise.race([first.catch(() => undefined), stopped]);
  service.startPeriodicChecks(o.intervalSeconds, o.chains);
  // The status-line timer is the one handle that keeps the process alive while watching.
  const timer = setInterval(() => void statusLine().catch(() => undefined), o.statusEveryMs ?? 60_000);
  await stopped;
  clearInterval(timer);
  const grace = new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS).unref());
  await Promise.race([Promise.all([service.stopPeriodicChecks(), first.catch(() => undefined)]), grace]);
  io.stderr.write('Stopped watching; final summary:\n');
  return printReport(registry, liveChains(o.chains), { ...o.base, source: 'full check' }, o.json, io);
}
