/**
 * `${VAR}` and `${VAR:-default}` in config strings. A value that is exactly one unset
 * reference with no default becomes undefined (the setting is missing, so the provider is
 * reported as not configured rather than configured with an empty secret); so is an object
 * whose every value was such a reference. An array entry that becomes undefined is dropped.
 * Every whole reference is reported to `onRef` with its path (`a.b[0].c`), its variable and
 * whether it was set, so the loader can refuse drops that must never be silent (an API key
 * list losing its only key) and name the user's own variables in its messages.
 */
import { GatewayError } from '../core/errors.js';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export type RefListener = (path: string, variable: string, set: boolean) => void;

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  onRef?: RefListener,
  path = '',
  within: ReadonlySet<object> = new Set(),
): unknown {
  if (value !== null && typeof value === 'object' && within.has(value)) {
    // A YAML alias that contains itself (`a: &x { b: *x }`) would recurse for ever.
    throw new GatewayError('GW_CONFIG_INVALID', `Invalid configuration: ${path || '(root)'} refers to itself through a YAML alias`, {
      details: { problems: [{ path: path || '(root)', message: 'a YAML alias refers to a node that contains it (an alias cycle)' }] },
    });
  }
  const inner = value !== null && typeof value === 'object' ? new Set([...within, value]) : within;
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = env[whole[1]!];
      const out = v !== undefined && v !== '' ? v : whole[2];
      onRef?.(path, whole[1]!, out !== undefined);
      return out;
    }
    return value.replace(REF, (_, name: string, def: string | undefined) => env[name] || def || '');
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) => {
      const r = interpolate(v, env, onRef, `${path}[${i}]`, inner);
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = interpolate(v, env, onRef, path ? `${path}.${k}` : k, inner);
      if (r !== undefined) out[k] = r;
    }
    // An object made only of unset references (auth: { user: ${U}, pass: ${P} }) is missing as a whole.
    return entries.length > 0 && Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
