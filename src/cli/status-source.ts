/**
 * The chain statuses a report shows. After a full check: the live chains. For `--status`: what
 * the serving process saved in the store (its provider snapshots), falling back to this
 * process's view for providers never saved.
 */
import type { ProviderChain } from '../core/chain.js';
import type { ProviderStatusJSON } from '../core/health.js';
import { isUsable } from '../monitoring/recommendations/evaluate.js';
import type { ChainStatusLike } from '../monitoring/sources.js';
import type { Store } from '../store/store.js';

export function liveChains(chains: readonly ProviderChain[]): ChainStatusLike[] {
  return chains.map((c) => c.getStatusReport());
}

export async function storedChains(chains: readonly ProviderChain[], store: Store, now: number): Promise<ChainStatusLike[]> {
  const saved = new Map<string, ProviderStatusJSON>();
  for (const s of await store.loadSnapshots()) if (s.status) saved.set(`${s.capability}\u0000${s.provider}`, s.status);
  return chains.map((chain) => {
    const live = chain.getStatusReport();
    const providers = live.providers.map((p) => saved.get(`${chain.capability}\u0000${p.name}`) ?? p);
    return { ...live, providers, usableProviders: providers.filter((p) => isUsable(p, now)).length };
  });
}
