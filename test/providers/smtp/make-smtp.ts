import { smtpProviderType } from '../../../src/providers/smtp/index.js';
import type { SmtpOptions } from '../../../src/providers/smtp/options.js';
import type { Provider } from '../../../src/core/provider.js';
import { captureLogger, testDeps } from '../../helpers/context.js';

export const USER = 'gw-sender';
export const PASS = 'Sm7p-Secret-Pass!';

export function makeSmtp(options: SmtpOptions, name = 'smtp_test', log = captureLogger()) {
  const deps = testDeps(log.logger);
  const provider: Provider = smtpProviderType.create(name, smtpProviderType.options.parse(options), deps);
  return { provider, deps, logs: log.lines };
}

export const plainOptions = (port: number, extra: Partial<SmtpOptions> = {}): SmtpOptions => ({
  host: '127.0.0.1',
  port,
  allowInsecure: true,
  auth: { user: USER, pass: PASS },
  from: 'Gateway <sender@gw.example>',
  connectionTimeoutMs: 2_000,
  greetingTimeoutMs: 2_000,
  socketTimeoutMs: 5_000,
  ...extra,
});
