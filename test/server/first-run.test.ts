/**
 * The first run: `serve` on the bundled defaults says nothing alarming, prints a banner and
 * pretty logs for a person, JSON for a collector, and drives demo traffic that fails over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { tempDir, writeConfig } from '../cli/helpers.js';
import { API_KEY } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function temp(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function logSink(): { write: (s: string) => void; text: () => string } {
  let text = '';
  return { write: (s) => void (text += s), text: () => text };
}

async function serve(opts: Parameters<typeof startService>[0]): Promise<RunningService> {
  const service = await startService({ port: 0, store: 'memory:', ...opts });
  cleanups.push(() => service.stop());
  return service;
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, why: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('first run on the bundled defaults', () => {
  it('starts without a single warning (dry-run sandboxes need no credentials) and runs demo traffic only on auto', async () => {
    const log = logSink();
    const bundled = await serve({ cwd: temp(), env: {}, demo: 'auto', logDestination: log });
    expect(bundled.source).toBe('bundled defaults');
    expect(bundled.demo).not.toBeNull();
    const levels = log
      .text()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { level: number; msg: string }).level);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((l) => l >= 40)).toEqual([]);

    // A config file of its own: no synthetic traffic unless asked for.
    const dir = temp();
    const file = writeConfig(dir, {
      mode: 'dry_run',
      capabilities: { email_verification: { providers: [{ name: 'v', type: 'local_verifier' }] } },
    });
    expect((await serve({ cwd: dir, env: {}, config: file, demo: 'auto', logDestination: logSink() })).demo).toBeNull();
  });

  it('--demo is refused in live mode, naming the file and the mode', async () => {
    const dir = temp();
    const file = writeConfig(dir, {
      mode: 'live',
      capabilities: { email_verification: { providers: [{ name: 'v', type: 'local_verifier' }] } },
    });
    await expect(
      startService({ port: 0, store: 'memory:', cwd: dir, env: {}, config: file, demo: true, logDestination: logSink() }),
    ).rejects.toThrow(/--demo .* dry run only; .*gateway\.config\.yaml sets mode: live/);
  });

  it('demo traffic makes a primary in outage fail over to its fallback, visible in /v1/status and the failover metric', async () => {
    const dir = temp();
    const file = writeConfig(dir, {
      mode: 'dry_run',
      logLevel: 'warn',
      monitoring: { intervalSeconds: 0 },
      capabilities: {
        email_sending: {
          providers: [
            { name: 'primary', type: 'smtp', sandbox: { latencyMs: 0, outages: [{ afterSec: 0, durationSec: 600 }] } },
            { name: 'fallback', type: 'smtp', sandbox: { latencyMs: 0 } },
          ],
        },
      },
    });
    const service = await serve({ cwd: dir, env: {}, config: file, demo: true, logDestination: logSink() });
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        return /aicmo_failovers_total\{capability="email_sending",provider="primary",kind="transient"\} [1-9]/.test(text)
          ? text
          : undefined;
      },
      15_000,
      () => 'no failover from primary within 15 s of demo traffic',
    );
    expect(metrics).toMatch(/aicmo_attempts_total\{[^}]*provider="fallback"[^}]*outcome="success"[^}]*\} [1-9]/);
    expect(service.demo!.counts.sent).toBeGreaterThan(0);
    expect(service.demo!.counts.failed).toBe(0);
    const status = (await (await fetch(`${service.url}/v1/status`)).json()) as {
      capabilities: { capability: string; providers: { name: string; health: string }[] }[];
    };
    const email = status.capabilities.find((c) => c.capability === 'email_sending')!;
    expect(Object.fromEntries(email.providers.map((p) => [p.name, p.health]))).toEqual({
      primary: expect.stringMatching(/^(DEGRADED|UNHEALTHY)$/),
      fallback: 'HEALTHY',
    });
  });
});

describe('aicmo-gateway serve output', () => {
  async function runServe(
    argv: string[],
    opts: { tty: boolean; cwd: string },
  ): Promise<{ stdout: string; url: string; stop: () => Promise<number> }> {
    const controller = new AbortController();
    let stdout = '';
    const running = runCli(['serve', '--port', '0', '--store', 'memory:', ...argv], {
      stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty },
      stderr: { write: () => true, isTTY: false },
      env: {},
      cwd: opts.cwd,
      signal: controller.signal,
    });
    const url = await waitFor(
      () => /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
      10_000,
      () => `no url in: ${stdout}`,
    );
    const stop = async () => {
      controller.abort();
      return running;
    };
    cleanups.push(stop);
    return {
      get stdout() {
        return stdout;
      },
      url,
      stop,
    };
  }

  it('at a terminal: a banner with the dashboard, docs, demo state, a first request and how to stop; log lines readable, not JSON', async () => {
    const run = await runServe([], { tty: true, cwd: temp() });
    await waitFor(
      () => (run.stdout.includes('Stop') ? true : undefined),
      5_000,
      () => run.stdout,
    );
    const out = run.stdout;
    expect(out).toContain(`Dashboard   ${run.url}/`);
    expect(out).toContain(`API docs    ${run.url}/docs`);
    expect(out).toContain('Demo        synthetic traffic is on');
    expect(out).toContain(`curl -X POST ${run.url}/v1/capabilities/email_sending`);
    expect(out).toContain('Ctrl+C');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: AICMO Gateway listening on/m);
    expect(out).not.toMatch(/^\{"level"/m);
    expect(await run.stop()).toBe(0);
  });

  it('not at a terminal: JSON lines only, no banner; --log-format pretty and --no-demo override; a configured API key shows as $API_KEY', async () => {
    const json = await runServe(['--no-demo'], { tty: false, cwd: temp() });
    await json.stop();
    const lines = json.stdout.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.map((l) => JSON.parse(l) as { demo?: boolean }).find((l) => l.demo !== undefined)?.demo).toBe(false);

    const dir = temp();
    writeConfig(dir, {
      mode: 'dry_run',
      server: { apiKeys: [API_KEY] },
      capabilities: { email_sending: { providers: [{ name: 's', type: 'smtp' }] } },
    });
    const pretty = await runServe(['--log-format', 'pretty'], { tty: false, cwd: dir });
    await waitFor(
      () => (pretty.stdout.includes('Stop') ? true : undefined),
      5_000,
      () => pretty.stdout,
    );
    expect(pretty.stdout).toContain("-H 'authorization: Bearer $API_KEY'");
    expect(pretty.stdout).toContain('Demo        off (serve --demo turns it on)');
    expect(pretty.stdout).not.toContain(API_KEY);
    await pretty.stop();
  });
});
