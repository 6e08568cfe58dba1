/**
 * The JSON body parser: JSON.parse, then a refusal of `__proto__` and `constructor.prototype`
 * keys anywhere in the body (prototype poisoning), with an error that says so. Fastify's own
 * parser refuses them too but reports "not valid JSON", which sends a caller looking for a
 * syntax error that is not there.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../core/errors.js';

export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(invalid('(body)', 'empty body: send a JSON object'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return done(invalid('(body)', 'not valid JSON'), undefined);
    }
    const forbidden = forbiddenKeyPath(value, '(body)');
    if (forbidden) return done(invalid(forbidden, 'forbidden key (__proto__ or constructor.prototype)'), undefined);
    done(null, value);
  });
}

function invalid(path: string, message: string): GatewayError {
  return new GatewayError(
    'GW_INVALID_REQUEST',
    message.startsWith('forbidden') ? 'The body has a forbidden key (__proto__ or constructor.prototype)' : 'The body is not valid JSON',
    {
      details: { problems: [{ path, message }] },
    },
  );
}

/** The path of the first `__proto__` or `constructor.prototype` key in a parsed value, if any. */
export function forbiddenKeyPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (key === '__proto__') return at;
    if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) return `${at}.prototype`;
    const deeper = forbiddenKeyPath(child, at);
    if (deeper) return deeper;
  }
  return undefined;
}
