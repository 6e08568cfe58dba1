/**
 * createServer(gateway, opts): the Fastify app of the gateway service, not yet listening
 * (tests use `app.inject`). Auth, body limit, per-key rate limit, CORS (off by default),
 * request ids, pino with redaction, metrics, the routes of src/server/routes/, periodic
 * self-checks, and config reload through `app.gatewayRuntime.reload()`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { BUNDLED_SOURCE, loadConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { Gateway } from '../gateway.js';
import type { Store } from '../store/store.js';
import { registerCors } from './cors.js';
import { toErrorReply } from './error-reply.js';
import { GatewayRuntime } from './gateway-runtime.js';
import { registerHttpHooks } from './http-hooks.js';
import { createServiceLogger } from './logger.js';
import { registerJsonBody } from './json-body.js';
import { genReqId, REQUEST_ID_HEADER } from './request-id.js';
import { ROUTES } from './routes/index.js';
import { sendError } from './submission-reply.js';
import './fastify-types.js';

export interface ServerOptions {
  /** A pino logger (default: pino to stdout at the config's logLevel, with redaction). */
  logger?: FastifyBaseLogger;
  /** Run self-checks every monitoring.intervalSeconds (default true; 0 s in config disables them). */
  periodicChecks?: boolean;
  /** The config file a reload reads (default: the gateway's config source when it is a file). */
  configPath?: string;
  /** Loads and validates the config on reload (default: loadConfig(configPath)). */
  loadConfig?: () => GatewayConfig;
  /** Builds the Gateway of a reloaded config (default: Gateway.create with the same logger and clock, and `store`). */
  createGateway?: (config: GatewayConfig) => Promise<Gateway>;
  /** A store shared by every Gateway across reloads; the caller closes it after app.close(). */
  store?: Store;
  /** Close the current gateway when the app closes (default true). */
  closeGateway?: boolean;
  /** Also export Node.js process metrics (process_*, nodejs_*). Default false. */
  processMetrics?: boolean;
  /** The host the app listens on (default server.host of the config); a reload is refused if it would leave it without keys. */
  bindHost?: string;
}

export type GatewayServer = FastifyInstance;

export function createServer(gateway: Gateway, opts: ServerOptions = {}): GatewayServer {
  const settings = gateway.config.server;
  const logger = opts.logger ?? createServiceLogger({ level: gateway.config.logLevel });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: settings.bodyLimitBytes,
    genReqId,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Requests Node's HTTP parser refuses (a control character in a header, a malformed request
    // line) and timeouts: our error format and a request id, then the socket is closed.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return void socket.destroy();
      const timedOut = (error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const body = JSON.stringify({
        error: {
          code: timedOut ? 'HTTP_REQUEST_TIMEOUT' : 'GW_INVALID_REQUEST',
          kind: 'invalid_request',
          message: timedOut
            ? 'The request did not arrive in time (server.headersTimeoutMs, server.requestTimeoutMs)'
            : 'The HTTP request is malformed',
        },
      });
      const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
      logger.info(
        { remoteAddress: socket.remoteAddress, code: (error as { code?: string }).code },
        timedOut ? 'request timed out: connection closed' : 'malformed request: connection closed',
      );
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    // Errors Fastify raises before a route runs (bad %-encoding, an over-long path segment) get our
    // error format and the request id too.
    frameworkErrors: (error, request, reply) => {
      const mapped = toErrorReply(error);
      const raw = reply as unknown as FastifyReply;
      void raw.header(REQUEST_ID_HEADER, request.id).code(mapped.status).send(mapped.body);
    },
    forceCloseConnections: 'idle',
    // Bounded connections: a slow sender is answered 408 and cut, idle sockets close, and past
    // maxConnections new ones are refused (even before authentication).
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Node checks the request and headers timeouts on this interval (30 s by default): check often
    // enough that a timeout is enforced near its setting.
    http: {
      headersTimeout: Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
    },
  }) as unknown as FastifyInstance;
  app.server.maxConnections = settings.maxConnections;
  app.server.on('drop', (data?: { remoteAddress?: string }) =>
    logger.warn(
      { remoteAddress: data?.remoteAddress, maxConnections: settings.maxConnections },
      'connection refused: server.maxConnections reached',
    ),
  );

  const configPath = opts.configPath ?? (isFileSource(gateway.configSource) ? gateway.configSource : undefined);
  const runtime = new GatewayRuntime(gateway, {
    logger,
    periodicChecks: opts.periodicChecks ?? true,
    loadConfig: opts.loadConfig ?? (() => loadConfig(configPath).config),
    createGateway:
      opts.createGateway ??
      ((config) => Gateway.create({ config, logger: gateway.logger, clock: gateway.clock, ...(opts.store ? { store: opts.store } : {}) })),
    drainMs: settings.shutdownGraceMs,
    processMetrics: opts.processMetrics ?? false,
    ...(opts.bindHost !== undefined ? { bindHost: opts.bindHost } : {}),
  });
  app.decorate('gatewayRuntime', runtime);

  app.setErrorHandler(async (error, request, reply) => {
    const mapped = toErrorReply(error);
    if (mapped.status >= 500 && mapped.body.error.code === 'GW_INTERNAL') request.log.error({ err: error }, 'request failed');
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: { code: 'HTTP_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  registerHttpHooks(app, runtime);
  registerJsonBody(app);
  registerCors(app, settings.corsOrigins);
  void app.register(async (scope) => {
    for (const routes of ROUTES) routes(scope, runtime);
  });
  app.addHook('onClose', async () => {
    await runtime.close({ closeGateway: opts.closeGateway ?? true });
  });
  return app;
}

function isFileSource(source: string): boolean {
  return source !== BUNDLED_SOURCE && source !== 'object';
}
