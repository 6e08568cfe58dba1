/** The events and reports of a ProviderChain. */
import type { ErrorCode, FailureKind } from './errors.js';
import type { ProviderStatusJSON } from './health.js';
import type { AttemptRecord } from './invocation.js';
import type { OrderingStrategy, PanicRule } from './policy.js';
import type { TrackedProviderSnapshot } from './tracked-provider.js';

export interface AttemptEvent {
  capability: string;
  provider: string;
  idempotencyKey: string;
  outcome: AttemptRecord['outcome'];
  code?: ErrorCode;
  latencyMs: number;
}

export interface FailoverEvent {
  capability: string;
  from: string;
  kind: FailureKind;
  code: ErrorCode;
  idempotencyKey: string;
}

export interface ExhaustedEvent {
  capability: string;
  idempotencyKey: string;
  attempts: AttemptRecord[];
  code: ErrorCode;
}

export interface ChainStatusReport {
  capability: string;
  sideEffects: boolean;
  strategy: OrderingStrategy;
  panic: PanicRule;
  /** Providers that could be called right now. */
  usableProviders: number;
  providers: ProviderStatusJSON[];
}

export interface ChainSnapshot {
  capability: string;
  providers: TrackedProviderSnapshot[];
}
