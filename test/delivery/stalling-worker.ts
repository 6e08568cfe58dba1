/** A BullMQ worker process that takes an outbox job and hangs until it is killed (a crashed worker). Same stall settings as the gateway's workers. */
import { Worker } from 'bullmq';

const [port, prefix, queue] = [Number(process.env.STALL_PORT), process.env.STALL_PREFIX!, process.env.STALL_QUEUE!];
new Worker(
  queue,
  () => {
    process.stdout.write('TAKEN\n');
    return new Promise(() => undefined);
  },
  { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null }, prefix, lockDuration: 600, stalledInterval: 1_000 },
);
