/** Settings a reload cannot apply to a running server: they change only after a restart. */
import type { GatewayConfig } from '../config/schema.js';

export function restartOnlyChanges(before: GatewayConfig, after: GatewayConfig): string[] {
  const out: string[] = [];
  const s0 = before.server;
  const s1 = after.server;
  if (s0.host !== s1.host) out.push('server.host');
  if (s0.port !== s1.port) out.push('server.port');
  if (s0.bodyLimitBytes !== s1.bodyLimitBytes) out.push('server.bodyLimitBytes');
  if (JSON.stringify(s0.corsOrigins) !== JSON.stringify(s1.corsOrigins)) out.push('server.corsOrigins');
  if (s0.dashboard !== s1.dashboard) out.push('server.dashboard');
  for (const k of ['requestTimeoutMs', 'headersTimeoutMs', 'keepAliveTimeoutMs', 'maxConnections'] as const)
    if (s0[k] !== s1[k]) out.push(`server.${k}`);
  if (before.store !== after.store) out.push('store');
  if (before.logLevel !== after.logLevel) out.push('logLevel');
  return out;
}
