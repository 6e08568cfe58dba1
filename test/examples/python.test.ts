/**
 * examples/python/gateway_client.py, the standard-library Python client written from
 * /openapi.json, run by the real python3 against a real service (dry run, every capability of
 * the bundled defaults without their injected faults): it drives each capability from the
 * document's examples and meets 202, 400, 401, 409, 422, 429 and 503 the way it promises.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES } from '../../src/capabilities/index.js';
import { BUNDLED_CONFIG } from '../../src/config/bundled.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { tempDir, writeConfig } from '../cli/helpers.js';

const CLIENT = fileURLToPath(new URL('../../examples/python/gateway_client.py', import.meta.url));
const KEY = 'python-client-key-0123456789';
const ADMIN = 'python-admin-key-0123456789';

function python(): string | null {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return null;
  }
}
const PYTHON = python();
if (!PYTHON) {
  if (process.env.CI) throw new Error('python3 is missing: the Python client example needs it in CI');
  console.warn('skipping the Python client example: python3 is not installed');
}

describe.skipIf(!PYTHON)('examples/python/gateway_client.py', () => {
  let service: RunningService;
  let cleanup: () => void;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    // The bundled chains with steady sandboxes (no outages or rate limits), and a slow email
    // provider so two sends of one key overlap.
    const capabilities = Object.fromEntries(
      Object.entries(BUNDLED_CONFIG.capabilities ?? {}).map(([name, chain]) => [
        name,
        { ...chain, providers: chain.providers.map((p) => ({ ...p, sandbox: { latencyMs: name === 'email_sending' ? 500 : 0 } })) },
      ]),
    );
    const file = writeConfig(t.dir, {
      mode: 'dry_run',
      store: `sqlite:${t.dir}/gw.sqlite`,
      logLevel: 'silent',
      server: { apiKeys: [{ name: 'python', key: KEY }], adminKeys: [{ name: 'ops', key: ADMIN }], rateLimitPerMinute: 120 },
      // A second send of a key in flight is refused (409) rather than held, so the client's 409 path runs.
      delivery: { inFlight: 'reject' },
      monitoring: { intervalSeconds: 0 },
      capabilities,
    });
    service = await startService({ config: file, port: 0, cwd: t.dir, env: {}, demo: false, logDestination: { write: () => undefined } });
  });
  afterAll(async () => {
    await service?.stop();
    cleanup?.();
  });

  it('drives every capability and handles each error status', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        PYTHON!,
        [CLIENT],
        { env: { PATH: process.env.PATH, GATEWAY_URL: service.url, GATEWAY_API_KEY: KEY, GATEWAY_ADMIN_KEY: ADMIN }, timeout: 90_000 },
        (error, out, err) => resolve({ code: error ? 1 : 0, stdout: out, stderr: err }),
      );
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    for (const name of CAPABILITY_NAMES) expect(stdout).toMatch(new RegExp(`^200 ${name}: served by \\w+$`, 'm'));
    expect(stdout).toMatch(/^202 email_sending: delivery dlv_\w+ delivered by smtp_\w+$/m);
    expect(stdout).toMatch(/^400 GW_INVALID_REQUEST: to: .*; subject: /m);
    expect(stdout).toMatch(/^401 HTTP_UNAUTHORIZED$/m);
    expect(stdout).toMatch(/^422 GW_IDEMPOTENCY_MISMATCH$/m);
    expect(stdout).toMatch(
      /^409 GW_IDEMPOTENCY_IN_FLIGHT, then retried: statuses \[200, 409\], the retry answers with the first send \(replayed=True\)$/m,
    );
    expect(stdout).toMatch(/^503 GW_NO_USABLE_PROVIDER after retries; recommendation: .+$/m);
    expect(stdout).toMatch(/^429 HTTP_RATE_LIMITED: Retry-After \d+ s$/m);
  }, 120_000);
});
