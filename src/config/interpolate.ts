/**
 * `${VAR}` and `${VAR:-default}` in config strings. A value that is exactly one unset
 * reference with no default becomes undefined (the setting is missing, so the provider is
 * reported as not configured rather than configured with an empty secret); so is an object
 * whose every value was such a reference. An array entry that becomes undefined is dropped,
 * and reported to `onDrop` with its path and variable, so the loader can refuse drops that
 * must never be silent (an API key list losing its only key).
 */
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export type DropListener = (path: string, variable: string | undefined) => void;

export function interpolate(value: unknown, env: NodeJS.ProcessEnv, onDrop?: DropListener, path = ''): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = env[whole[1]!];
      return v !== undefined && v !== '' ? v : whole[2];
    }
    return value.replace(REF, (_, name: string, def: string | undefined) => env[name] || def || '');
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) => {
      const r = interpolate(v, env, onDrop, `${path}[${i}]`);
      if (r !== undefined) out.push(r);
      else onDrop?.(`${path}[${i}]`, typeof v === 'string' ? WHOLE.exec(v)?.[1] : undefined);
    });
    return out;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = interpolate(v, env, onDrop, path ? `${path}.${k}` : k);
      if (r !== undefined) out[k] = r;
    }
    // An object made only of unset references (auth: { user: ${U}, pass: ${P} }) is missing as a whole.
    return entries.length > 0 && Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
