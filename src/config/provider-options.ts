/**
 * Checks one provider entry against its type: the type exists and serves the capability, its
 * options pass the type's schema, and required settings are present (missing ones make the
 * provider "not configured", which is reported, not fatal).
 */
import { formatPath, type FieldProblem } from '../capabilities/capability.js';
import { getProviderType, listProviderTypes } from '../providers/index.js';
import type { ProviderTypeDefinition } from '../providers/types.js';
import type { ProviderEntry } from './schema.js';

export interface ResolvedOptions {
  definition: ProviderTypeDefinition<unknown> | undefined;
  /** Parsed options (defaults applied) when the provider is configured. */
  options: unknown;
  configured: boolean;
  /** Dotted option paths that are required but missing. */
  missing: string[];
  problems: FieldProblem[];
}

function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * `unset` lists option paths written as `${VAR}` whose variable is unset: a schema failure at or
 * around such a path (`auth` failing because `auth.pass` is missing) means that option is
 * missing, reported by its own path, not as a vague problem of its parent.
 */
export function resolveProviderOptions(
  entry: ProviderEntry,
  capability: string,
  basePath: string,
  live: boolean,
  unset: readonly string[] = [],
): ResolvedOptions {
  const definition = getProviderType(entry.type);
  const problems: FieldProblem[] = [];
  if (!definition) {
    if (live)
      problems.push({
        path: `${basePath}.type`,
        message: `unknown provider type "${entry.type}" (known: ${listProviderTypes().join(', ')})`,
      });
    return { definition, options: entry.options, configured: !live, missing: [], problems };
  }
  if (!definition.capabilities.includes(capability as never)) {
    problems.push({
      path: `${basePath}.type`,
      message: `provider type "${entry.type}" does not serve ${capability} (it serves ${definition.capabilities.join(', ')})`,
    });
  }
  const missing = (definition.required ?? []).filter((p) => {
    const v = getPath(entry.options, p);
    return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  });
  const parsed = definition.options.safeParse(entry.options);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      const dropped = unset.filter((u) => u === path || u.startsWith(`${path}.`) || path.startsWith(`${u}.`));
      if (dropped.length) {
        for (const u of dropped) if (!missing.includes(u)) missing.push(u);
        continue;
      }
      if (missing.some((m) => path === m || path.startsWith(`${m}.`))) continue; // reported as not configured
      // An absent value that is required is reported as missing (not configured); a present value of the wrong type is a problem.
      if (issue.code === 'invalid_type' && missing.length > 0 && getPath(entry.options, path) === undefined) continue;
      problems.push({ path: `${basePath}.options${issue.path.length ? `.${formatPath(issue.path)}` : ''}`, message: issue.message });
    }
  }
  return {
    definition,
    options: parsed.success ? parsed.data : entry.options,
    configured: missing.length === 0 && parsed.success,
    missing,
    problems,
  };
}
