/**
 * The logging contract: a subset of pino's API, so a pino logger can be passed as is.
 * The library is silent unless it is given a logger.
 */
export interface LogFn {
  (fields: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child?(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => undefined;

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
