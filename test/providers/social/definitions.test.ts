/** The six provider types of the social and webhook folders, as the registry sees them. */
import { describe, expect, it } from 'vitest';
import { isCapabilityName } from '../../../src/capabilities/index.js';
import { getProviderType } from '../../../src/providers/index.js';
import { testDeps } from '../../helpers/context.js';

const TYPES = ['linkedin', 'x', 'facebook', 'webhook', 'crm_webhook', 'social_webhook'];

describe('social and webhook provider types', () => {
  it.each(TYPES)('%s is registered, parses empty options with defaults, and creates its adapter', (type) => {
    const def = getProviderType(type);
    expect(def?.type).toBe(type);
    expect(def!.capabilities.every((c) => isCapabilityName(c))).toBe(true);
    const options = def!.options.parse({}) as Record<string, unknown>;
    const shape = (def!.options as unknown as { shape: Record<string, unknown> }).shape;
    for (const path of [...def!.secrets, ...(def!.required ?? [])]) expect(Object.keys(shape), path).toContain(path);
    for (const path of def!.required ?? []) expect(options[path], `${path} has no default`).toBeUndefined();
    const provider = def!.create('p1', options, testDeps());
    expect([provider.name, provider.type, typeof provider.probe]).toEqual(['p1', type, 'function']);
    expect(Object.values(def!.hints).every((h) => h.includes('{provider}'))).toBe(true);
  });

  it('secret options are declared', () => {
    expect(getProviderType('linkedin')!.secrets).toEqual(['accessToken']);
    expect(getProviderType('x')!.secrets).toEqual(['accessToken']);
    expect(getProviderType('facebook')!.secrets).toEqual(['pageAccessToken', 'appSecret']);
    for (const t of ['webhook', 'crm_webhook', 'social_webhook']) expect(getProviderType(t)!.secrets).toEqual(['secrets', 'url']);
  });

  it('webhook types deduplicate by webhook-id; the social APIs do not', () => {
    const adapters = TYPES.map((t) => getProviderType(t)!.create('p1', getProviderType(t)!.options.parse({}), testDeps()));
    expect(adapters.map((a) => a.deduplicates === true)).toEqual([false, false, false, true, true, true]);
  });

  it('social_webhook serves every social posting capability', () => {
    expect(getProviderType('social_webhook')!.capabilities).toEqual([
      'social_posting_linkedin',
      'social_posting_x',
      'social_posting_facebook',
    ]);
  });
});
