/** Chains by capability: a class for code that wants no globals, and a default instance. */
import type { ProviderChain } from './chain.js';

export class ChainRegistry {
  private readonly chains = new Map<string, ProviderChain>();

  registerProviderChain(chain: ProviderChain): void {
    this.chains.set(chain.capability, chain);
  }

  getProviderChain(capability: string): ProviderChain | undefined {
    return this.chains.get(capability);
  }

  listProviderChains(): ProviderChain[] {
    return [...this.chains.values()];
  }

  clear(): void {
    this.chains.clear();
  }
}

const defaultRegistry = new ChainRegistry();

export function registerProviderChain(chain: ProviderChain): void {
  defaultRegistry.registerProviderChain(chain);
}

export function getProviderChain(capability: string): ProviderChain | undefined {
  return defaultRegistry.getProviderChain(capability);
}

export function listProviderChains(): ProviderChain[] {
  return defaultRegistry.listProviderChains();
}

export function getDefaultChainRegistry(): ChainRegistry {
  return defaultRegistry;
}
