/**
 * A gateway child process for the crash tests: started with tsx, its port read from the
 * `PORT <n>` line it prints, killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface GatewayChild {
  proc: ChildProcess;
  port: number;
}

/** Starts `script` with `env` added; resolves once it prints its port, rejects if it exits first. */
export function startGatewayChild(script: string, env: Record<string, string>): Promise<GatewayChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.once('exit', (code) => reject(new Error(`gateway child exited (${code}) before listening: ${err}`)));
  });
}

/** SIGKILL, resolved once the process is gone (at once if it already is). */
export function killHard(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    proc.once('exit', () => r());
    proc.kill('SIGKILL');
  });
}
