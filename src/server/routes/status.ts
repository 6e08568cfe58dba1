/** Status, recommendations, check history, the last hour of traffic and on-demand self-checks. */
import type { HealthQuery, RecommendationQuery, Severity } from '../../store/records.js';
import type { RouteModule } from './route-module.js';

const recommendationsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity: { type: 'string', enum: ['critical', 'warning', 'info'] },
    capability: { type: 'string', maxLength: 100 },
    provider: { type: 'string', maxLength: 100 },
    includeResolved: { type: 'boolean' },
  },
} as const;

const checksQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { type: 'string', maxLength: 100 },
    capability: { type: 'string', maxLength: 100 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  },
} as const;

interface RecommendationsQs {
  severity?: Severity;
  capability?: string;
  provider?: string;
  includeResolved?: boolean;
}

interface ChecksQs {
  provider?: string;
  capability?: string;
  limit: number;
}

export const statusRoutes: RouteModule = (app, runtime) => {
  app.get('/v1/status', async () => runtime.statusReport());

  app.get<{ Querystring: RecommendationsQs }>('/v1/recommendations', { schema: { querystring: recommendationsQuery } }, async (request) => {
    const q: RecommendationQuery = {};
    const { severity, capability, provider, includeResolved } = request.query;
    if (severity) q.severity = severity;
    if (capability) q.capability = capability;
    if (provider) q.provider = provider;
    if (includeResolved) q.includeResolved = true;
    return { recommendations: await runtime.monitoring.registry.getRecommendations(q) };
  });

  app.get<{ Querystring: ChecksQs }>('/v1/checks', { schema: { querystring: checksQuery } }, async (request) => {
    const q: HealthQuery = { limit: request.query.limit };
    if (request.query.provider) q.provider = request.query.provider;
    if (request.query.capability) q.capability = request.query.capability;
    return { checks: await runtime.monitoring.registry.getHealthHistory(q) };
  });

  app.post('/v1/self-check', async () => runtime.selfCheck());

  // The last hour per minute (calls, failures, p95 per provider; failovers; outbox backlog) for the dashboard's charts.
  app.get('/v1/history', async () => runtime.history.snapshot());
};
