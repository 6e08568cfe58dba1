/**
 * The Store: everything the gateway keeps beyond one process. Every method is async so a
 * networked implementation (Redis) fits the same interface as memory and SQLite.
 */
import type { MailEventLog, SuppressionList } from './mail-data.js';
import type { ProviderState, SentMailLog } from './provider-data.js';
import type {
  EventQuery,
  EventRecord,
  HealthCheckRecord,
  HealthQuery,
  ProviderSnapshotRecord,
  RecommendationQuery,
  RecommendationRecord,
} from './records.js';

export interface PruneResult {
  healthChecks: number;
  events: number;
  recommendations: number;
  sentMail: number;
  mailEvents: number;
}

export interface Store {
  /** `memory`, `sqlite` (later `redis`). */
  readonly kind: string;
  /** The store URL with any credential removed, for display. */
  readonly description: string;

  /** Appends health checks (in the order given) and prunes cheaply when due. */
  appendHealthChecks(checks: readonly HealthCheckRecord[]): Promise<void>;
  /** Newest first. */
  queryHealthChecks(query?: HealthQuery): Promise<HealthCheckRecord[]>;
  countHealthChecks(query?: Omit<HealthQuery, 'limit'>): Promise<number>;

  /** Inserts or replaces the recommendation with the same (provider, capability, issueKey). */
  upsertRecommendation(rec: RecommendationRecord): Promise<void>;
  getRecommendation(provider: string, capability: string, issueKey: string): Promise<RecommendationRecord | undefined>;
  /** Most severe first, then most recently seen. */
  queryRecommendations(query?: RecommendationQuery): Promise<RecommendationRecord[]>;

  /** Replaces the snapshot of each (provider, capability) given. */
  saveSnapshots(snapshots: readonly ProviderSnapshotRecord[]): Promise<void>;
  loadSnapshots(): Promise<ProviderSnapshotRecord[]>;

  /** Appends to the audit trail; returns the assigned id. */
  appendEvent(event: EventRecord): Promise<number>;
  /** Newest first. */
  queryEvents(query?: EventQuery): Promise<EventRecord[]>;

  /** Durable key-value state owned by one provider. */
  providerState(provider: string): ProviderState;
  /** The Message-IDs this gateway sent. */
  sentMail(): SentMailLog;
  /** Addresses never to send to again. */
  suppressions(): SuppressionList;
  /** Mail events the ESPs and bounce messages report, and the hourly counts of sends and events. */
  mailEvents(): MailEventLog;

  /** Applies the retention policy now. */
  prune(): Promise<PruneResult>;
  /** Drops health checks, events and recommendations (not snapshots, provider state, sent mail or deliverability data). */
  clearHistory(): Promise<void>;
  close(): Promise<void>;
}
