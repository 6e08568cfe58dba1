import { z } from 'zod';
import { GatewayError } from '../core/errors.js';

/** A kind of work with a typed request and result, and whether it has side effects. */
export interface Capability<Req = unknown, Res = unknown> {
  readonly name: string;
  readonly description: string;
  /** Sends, posts, syncs or dispatches something (true), or only reads (false). */
  readonly sideEffects: boolean;
  readonly request: z.ZodType<Req>;
  readonly result: z.ZodType<Res>;
  /** A valid request: shown in the OpenAPI document and sent by `serve --demo`. */
  readonly example: Readonly<Record<string, unknown>>;
}

export function defineCapability<Req, Res>(def: Capability<Req, Res>): Capability<Req, Res> {
  return Object.freeze(def);
}

export interface FieldProblem {
  /** JSON path of the field, e.g. `to[1]` or `records[3].fields`. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Validates a request; on failure throws GW_INVALID_REQUEST listing every problem with its path. */
export function parseRequest<Req>(capability: Capability<Req, unknown>, input: unknown): Req {
  const parsed = capability.request.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = zodProblems(parsed.error);
  const first = problems[0]!;
  throw new GatewayError(
    'GW_INVALID_REQUEST',
    `Invalid ${capability.name} request: ${first.path}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    { capability: capability.name, details: { problems } },
  );
}
