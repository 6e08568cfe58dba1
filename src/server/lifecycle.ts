/**
 * Graceful shutdown and signals. Shutdown stops accepting connections, lets in-flight requests
 * finish within the grace period (then closes the remaining connections), and the app's
 * onClose hook stops the self-checks and closes the gateway. (The CLI's `serve` wires the signals:
 * SIGTERM/SIGINT stop, SIGHUP reloads.)
 */
import type { FastifyInstance } from 'fastify';

/** Closes the app; connections still open after `graceMs` are cut. Resolves `forced` when that happened. */
export async function shutdownGracefully(app: FastifyInstance, graceMs: number): Promise<{ forced: boolean }> {
  const closing = app.close();
  // Keep-alive connections whose request just finished would hold the close open: end them as they go idle.
  const idle = setInterval(() => app.server.closeIdleConnections(), 25);
  const stopIdle = () => clearInterval(idle);
  closing.then(stopIdle, stopIdle);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), graceMs);
  });
  const first = await Promise.race([closing.then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  if (first === 'expired') {
    app.server.closeAllConnections();
    await closing;
  }
  return { forced: first === 'expired' };
}
