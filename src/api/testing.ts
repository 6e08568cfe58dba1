/**
 * `aicmo-gateway/testing`: what a test of code that uses the gateway needs: a clock it moves by
 * hand and the dry-run sandbox provider (records what it would do, injects faults).
 */
export { ManualClock } from '../core/clock.js';
export {
  SandboxProvider,
  sandboxOptions,
  type SandboxRecord,
  type SandboxOptions,
  type SandboxOptionsInput,
} from '../providers/sandbox/index.js';
