/**
 * `${VAR}` and `${VAR:-default}` in config strings. A value that is exactly one unset
 * reference with no default becomes undefined (the setting is missing, so the provider is
 * reported as not configured rather than configured with an empty secret); so is an object
 * whose every value was such a reference. An array entry that becomes undefined is dropped.
 * Every whole reference is reported to `onRef` with its path (`a.b[0].c`), its variable and
 * whether it was set, so the loader can refuse drops that must never be silent (an API key
 * list losing its only key) and name the user's own variables in its messages.
 */
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export type RefListener = (path: string, variable: string, set: boolean) => void;

export function interpolate(value: unknown, env: NodeJS.ProcessEnv, onRef?: RefListener, path = ''): unknown {
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
      const r = interpolate(v, env, onRef, `${path}[${i}]`);
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = interpolate(v, env, onRef, path ? `${path}.${k}` : k);
      if (r !== undefined) out[k] = r;
    }
    // An object made only of unset references (auth: { user: ${U}, pass: ${P} }) is missing as a whole.
    return entries.length > 0 && Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
