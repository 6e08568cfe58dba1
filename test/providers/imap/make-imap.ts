import type { ReplyFetchingResult } from '../../../src/capabilities/reply-fetching.js';
import type { Provider } from '../../../src/core/provider.js';
import { imapProviderType } from '../../../src/providers/imap/index.js';
import type { ImapOptions } from '../../../src/providers/imap/options.js';
import { captureLogger, invokeCtx, testDeps } from '../../helpers/context.js';

export type Deps = ReturnType<typeof testDeps>;

export function makeImap(options: ImapOptions, deps?: Deps, name = 'imap_test') {
  const log = captureLogger();
  const d = deps ?? testDeps(log.logger);
  const provider: Provider = imapProviderType.create(name, imapProviderType.options.parse(options), d);
  return { provider, deps: d, logs: log.lines };
}

export const imapOptionsFor = (port: number, user: string, pass: string, extra: Partial<ImapOptions> = {}): ImapOptions => ({
  host: '127.0.0.1',
  port,
  secure: false,
  allowInsecure: true,
  auth: { user, pass },
  connectionTimeoutMs: 3_000,
  greetingTimeoutMs: 3_000,
  socketTimeoutMs: 10_000,
  ...extra,
});

export const fetchReplies = (p: Provider, request: Record<string, unknown>, timeoutMs = 8_000) =>
  p.invoke(request, invokeCtx({ capability: 'reply_fetching', provider: p.name, timeoutMs })) as Promise<ReplyFetchingResult>;
