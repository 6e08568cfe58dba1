import type { HttpResponse } from '../http/client.js';

/** One authenticated call to the Dropcontact API (path relative to the base URL). */
export type DropcontactCall = (method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal) => Promise<HttpResponse>;

/** What is kept in the provider state per idempotency key while a request is pending. */
export interface PendingRequest {
  requestId: string;
  submittedAt: number;
}
