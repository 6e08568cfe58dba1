/**
 * The `social_webhook` adapter (social_posting_*): hands the post to a receiver (Zapier, Make,
 * an own service) as a signed `social.post.create` event. The post id is the receiver's JSON
 * `id` (or `postId`) when it answers one, else the webhook-id.
 */
import { SOCIAL_PLATFORMS, type SocialPlatform, type SocialPostRequest, type SocialPostResult } from '../../capabilities/social-posting.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import type { ProviderDeps } from '../types.js';
import type { WebhookAdapterExtras } from '../webhook/adapter.js';
import { deliverWebhook } from '../webhook/deliver.js';
import { probeWebhookDestination } from '../webhook/probe.js';
import type { SocialWebhookOptions } from './options.js';

export function createSocialWebhookProvider(
  name: string,
  options: SocialWebhookOptions,
  deps: ProviderDeps,
  extras: WebhookAdapterExtras = {},
): Provider<SocialPostRequest, SocialPostResult> {
  return {
    name,
    type: 'social_webhook',
    deduplicates: true,
    async invoke(request: SocialPostRequest, ctx: InvokeContext): Promise<SocialPostResult> {
      const platform = platformOf(ctx.capability) ?? options.platform;
      if (!platform) {
        throw new GatewayError(
          'GW_NOT_CONFIGURED',
          `${name}: cannot tell the platform from capability ${ctx.capability}; set the platform option`,
          {
            provider: name,
            capability: ctx.capability,
          },
        );
      }
      const data = {
        platform,
        text: request.text,
        link: request.link ?? null,
        media: request.media ?? [],
        author: request.author ?? options.author ?? null,
        visibility: request.visibility ?? null,
      };
      const delivery = await deliverWebhook(options, { type: options.event, data }, ctx, { clock: deps.clock, lookup: extras.lookup });
      const answer = isRecord(delivery.json) ? delivery.json : {};
      const id = answer.id ?? answer.postId;
      const result: SocialPostResult = {
        postId: typeof id === 'string' || typeof id === 'number' ? String(id) : delivery.webhookId,
        platform,
      };
      if (typeof answer.url === 'string') result.url = answer.url;
      return result;
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeWebhookDestination(options, ctx, extras.lookup);
    },
  };
}

function platformOf(capability: string): SocialPlatform | undefined {
  const suffix = capability.startsWith('social_posting_') ? capability.slice('social_posting_'.length) : '';
  return (SOCIAL_PLATFORMS as readonly string[]).includes(suffix) ? (suffix as SocialPlatform) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
