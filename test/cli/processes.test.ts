/** The CLI as real processes: state shared through the SQLite store, and Ctrl+C on --watch. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusJsonSchema } from '../../src/cli/format/status-json-schema.js';
import { sandboxConfig, tempDir, writeConfig } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

interface Proc {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: string[], cwd: string): Proc {
  const child = spawn(TSX, [MAIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('CLI processes', () => {
  let dir: string;
  let cleanup: () => void;
  const procs: ChildProcess[] = [];
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
    cleanup();
  });

  it('one process runs the checks; another reads the same picture with --status', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth' }, 'sqlite:./data/gateway.db'));
    const first = start(['self-check'], dir);
    procs.push(first.child);
    const a = await first.done;
    expect(a.code).toBe(2);
    const second = start(['self-check', '--status', '--json'], dir);
    procs.push(second.child);
    const b = await second.done;
    expect(b.code).toBe(2);
    const doc = statusJsonSchema.parse(JSON.parse(b.stdout));
    expect(doc.source).toBe('status from store');
    expect(doc.summary.checksRecorded).toBe(4);
    const primary = doc.capabilities.find((c) => c.capability === 'email_sending')!.providers[0]!;
    expect(primary).toMatchObject({ name: 'smtp_primary', health: 'UNHEALTHY', breakerState: 'open' });
    expect(doc.recommendations.find((r) => r.provider === 'smtp_primary')?.issueKey).toBe('auth');
  });

  it('self-check --watch exits within 2 s of SIGINT with a final summary', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth' }, 'sqlite:./data/gateway.db'));
    const w = start(['self-check', '--watch', '--interval', '1'], dir);
    procs.push(w.child);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no status line within 20 s')), 20_000);
      w.child.stdout!.on('data', (d: Buffer) => {
        if (/providers 4/.test(d.toString())) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 1_500)); // let a periodic run start
    const sent = Date.now();
    w.child.kill('SIGINT');
    const r = await w.done;
    const took = Date.now() - sent;
    expect(took).toBeLessThan(2_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('END OF REPORT');
    expect(r.stderr).toContain('final summary');
  });
});
