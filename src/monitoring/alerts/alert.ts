/** An operator alert: a recommendation opened, escalated or resolved. */
import type { ProviderRecommendation } from '../types.js';

export type AlertType = 'recommendation.opened' | 'recommendation.escalated' | 'recommendation.resolved';

export interface Alert {
  type: AlertType;
  at: number;
  recommendation: ProviderRecommendation;
}

export interface AlertSink {
  notify(alert: Alert): void;
  /** Waits for deliveries in flight. */
  flush(): Promise<void>;
}
