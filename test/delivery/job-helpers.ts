/** Helpers of the job tests (SQLite and Redis): a job's view through the API, waiting for it, webhook items. */
import type { DeliveryState } from '../../src/delivery/outbox.js';
import type { createServer } from '../../src/server/index.js';
import { api } from '../server/helpers.js';

type App = ReturnType<typeof createServer>;

export interface JobView {
  id: string;
  state: string;
  items: number;
  counts: Record<DeliveryState, number>;
  providers: Record<string, number>;
}

export async function jobStatus(app: App, id: string): Promise<JobView> {
  return (await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: api })).json<{ job: JobView }>().job;
}

/** Polls the job every 20 ms (15 s at most) until `done` holds. */
export async function waitForJob(app: App, id: string, done: (job: JobView) => boolean): Promise<JobView> {
  for (let i = 0; i < 750; i++) {
    const job = await jobStatus(app, id);
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${id} did not get there: ${JSON.stringify(await jobStatus(app, id))}`);
}

export const webhookItems = (n: number) => Array.from({ length: n }, (_, i) => ({ event: 'contact.created', payload: { i } }));
