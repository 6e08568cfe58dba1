import type { CapabilityName } from '../capabilities/index.js';
import { BUNDLED_CONFIG } from './bundled.js';
import { validateConfig } from './load.js';
import type { CapabilityConfig, GatewayConfig } from './schema.js';

export * from './schema.js';
export { loadConfig, validateConfig } from './load.js';
export { redactConfig, secretValues } from './redact.js';
export { BUNDLED_CONFIG } from './bundled.js';
function defaults(config?: GatewayConfig): GatewayConfig {
  return config ?? validateConfig(BUNDLED_CONFIG, {}).config;
}

/** The chain settings of one capability (from the given config, or the bundled defaults). */
export function getProviderChainConfig(capability: CapabilityName, config?: GatewayConfig): CapabilityConfig | undefined {
  return defaults(config).capabilities[capability];
}

/** The capabilities the config defines. */
export function listCapabilities(config?: GatewayConfig): CapabilityName[] {
  return Object.keys(defaults(config).capabilities) as CapabilityName[];
}

/** The first enabled provider of a capability's chain. */
export function getDefaultProvider(capability: CapabilityName, config?: GatewayConfig): string | undefined {
  return getProviderChainConfig(capability, config)?.providers.find((p) => p.enabled)?.name;
}
