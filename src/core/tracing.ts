/**
 * OpenTelemetry spans, through `@opentelemetry/api` only: without an SDK registered by the
 * application every call here is the API's no-op, and nothing is recorded or exported. With one
 * (docs/operations.md: `NODE_OPTIONS=--import ./otel.mjs`), an invocation is a span with a child
 * span per attempt, and each probe a span of its own:
 *
 *   aicmo.invoke email_sending         aicmo.capability, aicmo.outcome, aicmo.provider, aicmo.attempts
 *     aicmo.attempt smtp_gmail         aicmo.attempt=1, aicmo.outcome=transient, aicmo.error.code
 *     aicmo.attempt smtp_fallback      aicmo.attempt=2, aicmo.failover.reason=transient GW_PROVIDER_TRANSIENT
 *
 * Attributes are computed only when the span records. No attribute carries a request body, a
 * recipient or a secret: names, kinds, codes and counts.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';

const tracer = trace.getTracer('aicmo-gateway');

/** The API's no-op provider: what the global provider delegates to until an SDK registers one. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOT_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether an application registered a tracing SDK. Checked per call (an SDK may register after
 * this module loads) so that without one an invocation skips the API's no-op spans and contexts:
 * about 1 µs of the chain's 10 µs overhead bound (`npm run bench`).
 */
function tracing(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

export const SPAN_ATTRIBUTES = {
  capability: 'aicmo.capability',
  provider: 'aicmo.provider',
  outcome: 'aicmo.outcome',
  errorCode: 'aicmo.error.code',
  attempt: 'aicmo.attempt',
  attempts: 'aicmo.attempts',
  failoverReason: 'aicmo.failover.reason',
  panic: 'aicmo.panic',
  hedgedWith: 'aicmo.hedge.partner',
} as const;

/** What a finished span reports: success, or the failure kind and code. */
export interface SpanOutcome {
  outcome: string;
  code?: string | undefined;
}

/** Runs `fn` inside a new active span (children and outbound trace headers see it) and ends the span with `outcomeOf`'s verdict. */
export function inSpan<T>(
  name: string,
  attributes: () => Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  outcomeOf: (value: T) => SpanOutcome,
): Promise<T> {
  if (!tracing()) return fn(NOT_RECORDING);
  return tracer.startActiveSpan(name, async (span) => {
    const recording = span.isRecording(); // false when the SDK's sampler dropped this trace
    if (recording) span.setAttributes(attributes());
    try {
      const value = await fn(span);
      if (recording) report(span, outcomeOf(value));
      return value;
    } catch (error) {
      // The kind and code only: an error message may quote a provider's answer.
      const e = error as { kind?: string; code?: string };
      if (recording) report(span, { outcome: e.kind ?? 'error', code: e.code });
      throw error;
    } finally {
      span.end();
    }
  });
}

function report(span: Span, o: SpanOutcome): void {
  span.setAttribute(SPAN_ATTRIBUTES.outcome, o.outcome);
  if (o.code) span.setAttribute(SPAN_ATTRIBUTES.errorCode, o.code);
  if (o.outcome !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: o.code ?? o.outcome });
}

/**
 * The context a request's work runs in: the active one when HTTP instrumentation already made a
 * server span, else the caller's `traceparent` (W3C Trace Context) continued.
 */
export function callerContext(headers: Record<string, string | string[] | undefined>): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Runs `fn` in `ctx` (the caller's trace). */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** Adds `traceparent` (and `tracestate`) of the active span to outbound headers; none without a recording SDK. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}
