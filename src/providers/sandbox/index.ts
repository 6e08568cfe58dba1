import { CAPABILITY_NAMES } from '../../capabilities/index.js';
import { defineProviderType } from '../types.js';
import { sandboxOptions, type SandboxOptions } from './options.js';
import { SandboxProvider } from './sandbox-provider.js';

export { SandboxProvider, type SandboxRecord } from './sandbox-provider.js';
export { sandboxOptions, type SandboxOptions, type SandboxOptionsInput } from './options.js';

export const sandboxProviderType = defineProviderType<SandboxOptions>({
  type: 'sandbox',
  description: 'Dry-run provider for any capability: records what it would do, with fault injection',
  capabilities: CAPABILITY_NAMES,
  options: sandboxOptions,
  secrets: [],
  hints: {
    transient: 'This is a sandbox provider with injected faults (capabilities.*.providers[].sandbox): nothing real is failing.',
    no_probe: 'Sandbox providers always have a probe.',
  },
  create: (name, options, deps) => new SandboxProvider(name, options, deps.clock),
});
