/**
 * The few lines `serve` prints for a person at a terminal: where the dashboard and the API
 * reference are, what mode it runs in, whether demo traffic flows, a first request to copy, and
 * how to stop. Never a secret: an API key is shown as `$API_KEY`.
 */
import { createRequire } from 'node:module';
import type { RunningService } from '../server/service.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function startBanner(service: Pick<RunningService, 'url' | 'config' | 'source' | 'demo'>): string {
  const { url, config } = service;
  const dryRun = config.mode === 'dry_run';
  const auth = config.server.apiKeys.length ? ` -H 'authorization: Bearer $API_KEY'` : '';
  const lines = [
    '',
    `  AICMO Gateway ${version}  ${dryRun ? 'dry run: sandbox providers, nothing leaves this machine' : 'LIVE: providers are called for real'}`,
    '',
    `  Dashboard   ${url}/`,
    `  API docs    ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
    `  Config      ${service.source}`,
    service.demo
      ? '  Demo        synthetic traffic is on: the SMTP sandbox fails at 0:30 and the LinkedIn and Airtable\n' +
        '              sandboxes hit their rate limits; watch the fallbacks take over and recover (--no-demo: off)'
      : `  Demo        off${dryRun ? ' (serve --demo turns it on)' : ''}`,
    `  Try         curl -X POST ${url}/v1/capabilities/email_sending -H 'content-type: application/json'${auth} \\`,
    `                -d '{"to":"ada@example.com","subject":"Hello","text":"First message"}'`,
    '  Stop        Ctrl+C (finishes requests in flight)',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
