/**
 * Capabilities: list, describe (chain status and the request's JSON Schema), and invoke.
 * One parametric route `POST /v1/capabilities/:capability`; the body is validated by the
 * capability's zod schema inside Gateway.submit, so a 400 lists every problem with its path.
 */
import { z } from 'zod';
import { getCapability } from '../../capabilities/index.js';
import { GatewayError } from '../../core/errors.js';
import { callerContext, withContext } from '../../core/tracing.js';
import type { SubmitOptions } from '../../delivery/delivery-service.js';
import { isUnavailable, toErrorReply } from '../error-reply.js';
import { prefersAsync, sendError, sendSubmission } from '../submission-reply.js';
import type { RouteModule } from './route-module.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const params = { type: 'object', properties: { capability: { type: 'string', maxLength: 100 } }, required: ['capability'] } as const;

/** The request's JSON Schema (input side: what a caller sends), or null for an unknown capability. */
function requestSchema(name: string): unknown {
  const capability = getCapability(name);
  return capability ? z.toJSONSchema(capability.request, { io: 'input', unrepresentable: 'any' }) : null;
}

function unknownCapability(name: string): GatewayError {
  return new GatewayError('GW_UNKNOWN_CAPABILITY', `No chain is configured for capability "${name}"`, { capability: name });
}

export const capabilityRoutes: RouteModule = (app, runtime) => {
  app.get('/v1/capabilities', async () => {
    const gateway = runtime.gateway;
    return {
      capabilities: gateway.listProviderChains().map((chain) => {
        const report = chain.getStatusReport();
        return {
          capability: chain.capability,
          description: getCapability(chain.capability)?.description ?? '',
          sideEffects: chain.sideEffects,
          required: gateway.config.capabilities[chain.capability as keyof typeof gateway.config.capabilities]?.required ?? false,
          usableProviders: report.usableProviders,
          providers: report.providers.map((p) => ({ name: p.name, health: p.health, breakerState: p.breakerState })),
        };
      }),
    };
  });

  app.get<{ Params: { capability: string } }>('/v1/capabilities/:capability', { schema: { params } }, async (request) => {
    const gateway = runtime.gateway;
    const chain = gateway.getProviderChain(request.params.capability);
    if (!chain) throw unknownCapability(request.params.capability);
    return {
      ...chain.getStatusReport(),
      description: getCapability(chain.capability)?.description ?? '',
      required: gateway.config.capabilities[chain.capability as keyof typeof gateway.config.capabilities]?.required ?? false,
      requestSchema: requestSchema(chain.capability),
    };
  });

  app.post<{ Params: { capability: string } }>('/v1/capabilities/:capability', { schema: { params } }, async (request, reply) => {
    const { capability } = request.params;
    const header = request.headers['idempotency-key'];
    const options: SubmitOptions = {};
    if (header !== undefined) {
      if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
        throw new GatewayError('GW_INVALID_REQUEST', 'Invalid Idempotency-Key header', {
          capability,
          details: { problems: [{ path: 'headers.idempotency-key', message: 'one value of 1-255 visible ASCII characters' }] },
        });
      }
      options.idempotencyKey = header;
    }
    try {
      // The invocation's spans continue the caller's trace (its traceparent header).
      const submission = await withContext(callerContext(request.headers), () =>
        runtime.submit(capability, request.body, { ...options, async: prefersAsync(request.headers.prefer) }),
      );
      return sendSubmission(reply, submission);
    } catch (error) {
      const mapped = toErrorReply(error);
      if (!isUnavailable(mapped)) throw error;
      // No usable provider / every provider failed: say what the operator should do.
      const recommendations = await runtime.activeRecommendations(capability).catch(() => []);
      return sendError(reply, mapped, { recommendations });
    }
  });
};
