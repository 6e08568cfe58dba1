/** A minimal Logger for the CLI: one line per warn/error on stderr, nothing else (alerts show here). */
import type { LogFn, Logger } from '../core/logger.js';
import type { OutStream } from './io.js';

export function cliLogger(stderr: OutStream, verbose = false): Logger {
  const line =
    (level: string, show: boolean): LogFn =>
    (a: unknown, b?: unknown) => {
      if (!show) return;
      const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
      stderr.write(`${level}: ${msg}\n`);
    };
  const logger: Logger = {
    debug: line('debug', verbose),
    info: line('info', verbose),
    warn: line('warn', true),
    error: line('error', true),
    child: () => logger,
  };
  return logger;
}
