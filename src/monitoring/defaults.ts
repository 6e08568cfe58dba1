/** Module-level default instances, for callers that do not wire their own. */
import { SelfCheckRegistry } from './self-check-registry.js';
import { SelfCheckService, type SelfCheckServiceOptions } from './self-check-service.js';

let registry: SelfCheckRegistry | undefined;
let service: SelfCheckService | undefined;

/** The default registry (memory store) — created on first use. */
export function getRegistry(): SelfCheckRegistry {
  return (registry ??= new SelfCheckRegistry());
}

export function resetRegistry(): void {
  registry = undefined;
}

/** The default service over the default registry; options apply only when it is first created. */
export function getSelfCheckService(opts: Omit<SelfCheckServiceOptions, 'registry'> = {}): SelfCheckService {
  return (service ??= new SelfCheckService({ ...opts, registry: getRegistry() }));
}

/** Stops the default service's periodic checks and forgets it. */
export async function resetSelfCheckService(): Promise<void> {
  const s = service;
  service = undefined;
  await s?.stopPeriodicChecks();
}
