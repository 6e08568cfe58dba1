import { systemClock } from '../../src/core/clock.js';
import type { Logger, LogFn } from '../../src/core/logger.js';
import type { InvokeContext, ProbeContext } from '../../src/core/provider.js';
import { MemoryProviderState, MemorySentMailLog } from '../../src/store/provider-data.js';
import type { ProviderDeps } from '../../src/providers/types.js';

/** A logger that keeps every line as JSON text, so tests can search it for secrets. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const make =
    (level: string, bindings: Record<string, unknown>): LogFn =>
    (a: unknown, b?: unknown) => {
      lines.push(
        JSON.stringify(
          { level, ...bindings, ...(typeof a === 'string' ? { msg: a } : (a as object)), ...(b ? { msg: b } : {}) },
          errorReplacer,
        ),
      );
    };
  const build = (bindings: Record<string, unknown>): Logger => ({
    debug: make('debug', bindings),
    info: make('info', bindings),
    warn: make('warn', bindings),
    error: make('error', bindings),
    child: (more) => build({ ...bindings, ...more }),
  });
  return { logger: build({}), lines };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, ...(value as object) };
  return value;
}

export function testDeps(logger?: Logger): ProviderDeps & { state: MemoryProviderState; sentMail: MemorySentMailLog } {
  return {
    logger: logger ?? captureLogger().logger,
    clock: systemClock,
    state: new MemoryProviderState(),
    sentMail: new MemorySentMailLog(),
  };
}

export function invokeCtx(overrides: Partial<InvokeContext> & { timeoutMs?: number } = {}): InvokeContext {
  const timeoutMs = overrides.timeoutMs ?? 5_000;
  return {
    signal: overrides.signal ?? AbortSignal.timeout(timeoutMs),
    idempotencyKey: overrides.idempotencyKey ?? `idem-${Math.random().toString(36).slice(2)}`,
    acceptedAt: overrides.acceptedAt ?? Date.now(),
    deadline: overrides.deadline ?? Date.now() + timeoutMs,
    attempt: overrides.attempt ?? 1,
    capability: overrides.capability ?? 'test',
    provider: overrides.provider ?? 'test_provider',
    logger: overrides.logger ?? captureLogger().logger,
    ...(overrides.reportRateLimit ? { reportRateLimit: overrides.reportRateLimit } : {}),
  };
}

export function probeCtx(overrides: Partial<ProbeContext> & { timeoutMs?: number } = {}): ProbeContext {
  const timeoutMs = overrides.timeoutMs ?? 5_000;
  return {
    signal: overrides.signal ?? AbortSignal.timeout(timeoutMs),
    deadline: overrides.deadline ?? Date.now() + timeoutMs,
    provider: overrides.provider ?? 'test_provider',
    logger: overrides.logger ?? captureLogger().logger,
    ...(overrides.reportRateLimit ? { reportRateLimit: overrides.reportRateLimit } : {}),
  };
}

/** Full text of an error as anything might print it: message, JSON, stack, cause chain. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; e && i < 5; i++) {
    if (e instanceof Error) {
      parts.push(e.message, e.stack ?? '', JSON.stringify(e, errorReplacer));
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(typeof e === 'string' ? e : JSON.stringify(e));
      break;
    }
  }
  return parts.join('\n');
}
