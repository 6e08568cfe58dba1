/**
 * The one explicit map of provider type names to their definitions.
 * Each type lives in its own folder: adapter, error mapping, probe, options schema, hints.
 */
import type { ProviderTypeDefinition } from './types.js';

// Each provider folder adds its import and its entry below.

export const PROVIDER_TYPES: Readonly<Record<string, ProviderTypeDefinition<any>>> = Object.freeze({
});

export function getProviderType(type: string): ProviderTypeDefinition<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(PROVIDER_TYPES, type) ? PROVIDER_TYPES[type] : undefined;
}

export function listProviderTypes(): string[] {
  return Object.keys(PROVIDER_TYPES).sort();
}
