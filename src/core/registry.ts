/** The chains of one Gateway, by capability. */
import type { ProviderChain } from './chain.js';
import { GatewayError } from './errors.js';

export class ChainRegistry {
  private readonly chains = new Map<string, ProviderChain>();

  registerProviderChain(chain: ProviderChain): void {
    this.chains.set(chain.capability, chain);
  }

  getProviderChain(capability: string): ProviderChain | undefined {
    return this.chains.get(capability);
  }

  /** The chain of a capability, or GW_UNKNOWN_CAPABILITY. */
  requireChain(capability: string): ProviderChain {
    const chain = this.chains.get(capability);
    if (!chain) throw new GatewayError('GW_UNKNOWN_CAPABILITY', `No chain is configured for capability "${capability}"`, { capability });
    return chain;
  }

  listProviderChains(): ProviderChain[] {
    return [...this.chains.values()];
  }

  clear(): void {
    this.chains.clear();
  }
}
