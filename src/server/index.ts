/** The gateway service: the Fastify app and what it is built from. */
export { createServer, type GatewayServer, type ServerOptions } from './create-server.js';
export { GatewayRuntime, type RuntimeOptions, type ServerStatusReport } from './gateway-runtime.js';
export { KeyRing, type Identity } from './auth.js';
export { assertSafeBind, isLoopbackHost } from './bind-guard.js';
export { GatewayMetrics, BREAKER_GAUGE } from './metrics/gateway-metrics.js';
export { createServiceLogger, REDACT_PATHS } from './logger.js';
export { HTTP_ERROR_CODES, HttpError, type HttpErrorCode } from './http-error.js';
export { toErrorReply, type ErrorBody, type ErrorReply } from './error-reply.js';
export type { ReloadState, ReloadError } from './reload-state.js';
export type { AuthLevel } from './fastify-types.js';
