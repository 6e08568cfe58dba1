/**
 * Loading and validation: YAML or JSON, `${ENV}` interpolation, the schema, then per-provider
 * checks; every problem is reported at once with its path, and the result is frozen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { zodProblems, type FieldProblem } from '../capabilities/capability.js';
import { GatewayError } from '../core/errors.js';
import { sandboxOptions } from '../providers/sandbox/options.js';
import { BUNDLED_CONFIG } from './bundled.js';
import { interpolate } from './interpolate.js';
import { resolveProviderOptions } from './provider-options.js';
import { configSchema, type GatewayConfig } from './schema.js';

export interface LoadedConfig {
  config: GatewayConfig;
  /** The file it came from, or `bundled defaults`. */
  source: string;
  /** Not fatal: providers that are not configured (live mode), unknown types in dry run, deadlines too short. */
  warnings: string[];
}

/** The `source` of the bundled defaults (no config file found). */
export const BUNDLED_SOURCE = 'bundled defaults';

const CANDIDATES = ['gateway.config.yaml', 'gateway.config.yml', 'gateway.config.json'];

/** Finds the config file: the argument, then GATEWAY_CONFIG, then ./gateway.config.(yaml|yml|json), else the bundled defaults. */
function findConfigFile(path: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (path) return resolve(cwd, path);
  if (env.GATEWAY_CONFIG) return resolve(cwd, env.GATEWAY_CONFIG);
  for (const c of CANDIDATES) if (existsSync(resolve(cwd, c))) return resolve(cwd, c);
  return undefined;
}

export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const file = findConfigFile(path, env, cwd);
  if (!file) return { ...validateConfig(BUNDLED_CONFIG, env), source: BUNDLED_SOURCE };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new GatewayError('GW_CONFIG_INVALID', `Cannot read config file ${file}: ${reason}`, {
      details: { problems: [{ path: '(file)', message: reason }] },
    });
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : 'parse error';
    throw new GatewayError(
      'GW_CONFIG_INVALID',
      `Config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${message}`,
      {
        details: { problems: [{ path: '(file)', message }] },
      },
    );
  }
  return { ...validateConfig(raw, env, file), source: file };
}

/** A chain's invocation deadline when neither the config nor its providers ask for another. */
const DEFAULT_DEADLINE_MS = 30_000;

export function validateConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  source = 'config',
): { config: GatewayConfig; warnings: string[] } {
  // A key list entry whose variable is unset would silently remove a key (and with it, authentication).
  const keyDrops: FieldProblem[] = [];
  const refs = new Map<string, { variable: string; set: boolean }>();
  const interpolated = interpolate(raw ?? {}, env, (path, variable, set) => {
    refs.set(path, { variable, set });
    if (!set && /^server\.(apiKeys|adminKeys)\[\d+\]$/.test(path))
      keyDrops.push({ path, message: `\${${variable}} is not set: a key entry must not be empty` });
  }) as Record<string, unknown>;
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) throw invalid(source, [...keyDrops, ...zodProblems(parsed.error)]);
  if (keyDrops.length) throw invalid(source, keyDrops);
  const config = parsed.data;
  applyEnvOverrides(config, env);
  const problems: FieldProblem[] = [];
  const warnings: string[] = [];
  const live = config.mode === 'live';
  const seen = new Map<string, string>();
  for (const [capability, cap] of Object.entries(config.capabilities)) {
    let needed: { ms: number; provider: string } | undefined;
    cap.providers.forEach((p, i) => {
      const base = `capabilities.${capability}.providers[${i}]`;
      const other = seen.get(p.name);
      if (other) problems.push({ path: `${base}.name`, message: `provider name "${p.name}" is already used at ${other}` });
      seen.set(p.name, base);
      const variables = optionVariables(refs, `${base}.options.`);
      const unset = Object.keys(variables).filter((k) => !refs.get(`${base}.options.${k}`)!.set);
      PROVIDER_VARIABLES.set(p, { variables, unset });
      const r = resolveProviderOptions(p, capability, base, live, unset);
      problems.push(...r.problems);
      const min = r.definition?.defaults?.minDeadlineMs;
      if (min !== undefined && min > (needed?.ms ?? 0)) needed = { ms: min, provider: `${p.name} (${p.type})` };
      if (!r.definition && !live) warnings.push(`${base}: type "${p.type}" has no adapter; it runs as a sandbox in dry run only`);
      // In dry run a sandbox stands in for every provider, so missing credentials change nothing yet.
      if (live && r.missing.length)
        warnings.push(
          `${p.name} (${capability}) is not configured: missing ${r.missing.map((m) => describeOption(m, variables)).join(', ')}`,
        );
      if (p.sandbox) {
        const s = sandboxOptions.safeParse(p.sandbox);
        if (!s.success) for (const sp of zodProblems(s.error)) problems.push({ path: `${base}.sandbox.${sp.path}`, message: sp.message });
      }
    });
    if (cap.deadlineMs === undefined) cap.deadlineMs = Math.max(DEFAULT_DEADLINE_MS, needed?.ms ?? 0);
    else if (needed && cap.deadlineMs < needed.ms)
      warnings.push(
        `capabilities.${capability}.deadlineMs is ${cap.deadlineMs} ms but ${needed.provider} needs at least ${needed.ms} ms to finish a call: ` +
          `set capabilities.${capability}.deadlineMs to ${needed.ms} or more`,
      );
  }
  if (problems.length) throw invalid(source, problems);
  return { config: deepFreeze(config), warnings };
}

/** The `${VAR}` each option of a provider came from (option path -> variable), for messages. */
const PROVIDER_VARIABLES = new WeakMap<object, ProviderVariables>();

export interface ProviderVariables {
  /** Option path -> the variable it was written as (`auth.pass` -> `SMTP_PASSWORD`). */
  variables: Readonly<Record<string, string>>;
  /** Option paths whose variable is unset. */
  unset: readonly string[];
}

/** The `${VAR}` references of a validated provider entry (empty for an entry built in code). */
export function providerVariables(entry: object): ProviderVariables {
  return PROVIDER_VARIABLES.get(entry) ?? { variables: {}, unset: [] };
}

/** `options.auth.pass (\${SMTP_PASSWORD} is not set)` when the option came from a variable. */
export function describeOption(option: string, variables: Readonly<Record<string, string>>): string {
  const v = variables[option];
  return v ? `options.${option} (\${${v}} is not set)` : `options.${option}`;
}

function optionVariables(refs: ReadonlyMap<string, { variable: string }>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, ref] of refs) if (path.startsWith(prefix)) out[path.slice(prefix.length)] = ref.variable;
  return out;
}

/** DRY_RUN_MODE=true or USE_REAL_GATEWAYS=false select dry run; GATEWAY_STORE overrides the store URL. */
function applyEnvOverrides(config: GatewayConfig, env: NodeJS.ProcessEnv): void {
  const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);
  const falsy = (v: string | undefined) => v !== undefined && /^(0|false|no|off)$/i.test(v);
  if (truthy(env.DRY_RUN_MODE) || falsy(env.USE_REAL_GATEWAYS)) config.mode = 'dry_run';
  else if (truthy(env.USE_REAL_GATEWAYS) || falsy(env.DRY_RUN_MODE)) config.mode = 'live';
  if (env.GATEWAY_STORE) config.store = env.GATEWAY_STORE;
}

function invalid(source: string, problems: FieldProblem[]): GatewayError {
  const list = problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n');
  return new GatewayError('GW_CONFIG_INVALID', `Invalid configuration (${source}), ${problems.length} problem(s):\n${list}`, {
    details: { problems },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
