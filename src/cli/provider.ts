/**
 * `aicmo-gateway provider reset | isolate | force-closed NAME`: an operator action on one
 * provider of the running server, through its admin API (`POST /v1/providers/:name/<action>`),
 * so the process that routes the traffic is the one that changes. The admin key comes from an
 * environment variable (never an argument: arguments show in `ps`). Exit 0 done, 3 could not
 * run (server unreachable, key refused, unknown provider), 64 bad arguments.
 */
import { Command } from 'commander';
import { CliExit, EXIT, type CliIO } from './io.js';
import { loadCliConfig, type GlobalOptions } from './open-gateway.js';

const ACTIONS = {
  reset: 'back to a fresh closed state: counters, window, cool-down and breaker cleared',
  isolate: 'take it out of routing until reset',
  'force-closed': 'route to it whatever its breaker says, until reset',
} as const;

interface ProviderActionOptions {
  url?: string;
  keyEnv: string;
  json?: boolean;
}

export function providerCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  const cmd = new Command('provider').description('Operator actions on one provider of the running server (admin API)');
  for (const [action, description] of Object.entries(ACTIONS)) {
    cmd
      .command(`${action} <name>`)
      .description(`${description[0]!.toUpperCase()}${description.slice(1)}`)
      .option('--url <url>', 'the server (default: http://<server.host>:<server.port> of the config)')
      .option('--key-env <name>', 'environment variable holding an admin key', 'GATEWAY_ADMIN_KEY')
      .option('--json', 'print the server answer as JSON')
      .action(async (name: string, opts: ProviderActionOptions) => {
        setExit(await runAction(io, global(), action, name, opts));
      });
  }
  return cmd;
}

async function runAction(io: CliIO, global: GlobalOptions, action: string, name: string, opts: ProviderActionOptions): Promise<number> {
  const base = opts.url ?? serverUrl(global, io);
  let url: URL;
  try {
    url = new URL(`/v1/providers/${encodeURIComponent(name)}/${action}`, base);
  } catch {
    throw new CliExit(EXIT.USAGE, `--url ${base} is not a valid URL`);
  }
  const key = io.env[opts.keyEnv];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: '{}', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliExit(
      EXIT.CANNOT_RUN,
      `cannot reach the gateway at ${url.origin} (${code}): is \`aicmo-gateway serve\` running there? (--url)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as {
    provider?: { name: string; health: string; breakerState: string };
    actor?: string;
    error?: { code?: string; message?: string };
  };
  if (!res.ok) {
    const why = body.error?.message ?? `HTTP ${res.status}`;
    const hint = res.status === 401 || res.status === 403 ? ` (set ${opts.keyEnv} to an admin key of server.adminKeys)` : '';
    throw new CliExit(EXIT.CANNOT_RUN, `${action} ${name} refused: ${why}${hint}`);
  }
  if (opts.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  else
    io.stdout.write(
      `${name}: ${action} done by ${body.actor ?? 'the server'}; breaker ${body.provider?.breakerState}, health ${body.provider?.health}\n`,
    );
  return EXIT.OK;
}

/** The server of the config, on loopback when it listens on every interface. */
function serverUrl(global: GlobalOptions, io: CliIO): string {
  const { server } = loadCliConfig(global, io).config;
  const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}
