/**
 * The layering check (npm run lint): no import cycles, and imports only in the documented
 * direction (docs/architecture.md): cli, server -> gateway -> monitoring, delivery, deliverability,
 * providers, config, store -> core, capabilities (deliverability also reads provider helpers and config types). `core` imports no other folder; `capabilities` only core.
 */
const layer = (name, mayNotImport, comment) => ({
  name: `${name}-layer`,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotImport.join('|')})(/|\\.ts$)` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle', from: {}, to: { circular: true } },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'The engine has no I/O and names no provider, capability or store',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    layer(
      'capabilities',
      ['config', 'providers', 'store', 'delivery', 'deliverability', 'monitoring', 'gateway', 'server', 'cli', 'api'],
      'Capabilities are schemas over core',
    ),
    layer(
      'store',
      ['config', 'providers', 'delivery', 'deliverability', 'monitoring', 'gateway', 'server', 'cli', 'api'],
      'The store keeps records; it knows no provider',
    ),
    layer(
      'providers',
      ['config', 'delivery', 'deliverability', 'monitoring', 'gateway', 'server', 'cli', 'api'],
      'Adapters use core, capabilities and store/provider-data only',
    ),
    layer(
      'config',
      ['delivery', 'deliverability', 'monitoring', 'gateway', 'server', 'cli', 'api', 'store'],
      'Config reads provider types to check options, nothing above',
    ),
    layer('delivery', ['providers', 'deliverability', 'monitoring', 'gateway', 'server', 'cli', 'api'], 'Delivery runs chains from core'),
    layer(
      'deliverability',
      ['delivery', 'monitoring', 'gateway', 'server', 'cli', 'api'],
      'Deliverability keeps the suppression list and mail events in the store',
    ),
    layer('monitoring', ['delivery', 'gateway', 'server', 'cli', 'api'], 'Monitoring reads chains and the store'),
    layer('gateway', ['server', 'cli', 'api'], 'The Gateway is below its two faces'),
    layer('server', ['cli', 'api'], 'The server is not the CLI'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.build.json' },
    tsPreCompilationDeps: true,
  },
};
