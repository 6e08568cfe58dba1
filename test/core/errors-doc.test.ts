import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FAILURE_KINDS, GatewayError, toGatewayError } from '../../src/core/errors.js';

describe('error registry', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with its kind in docs/errors.md', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(doc, code).toContain(`| \`${code}\` | \`${info.kind}\` |`);
    }
    for (const kind of FAILURE_KINDS) expect(doc).toContain(`| \`${kind}\` |`);
  });

  it('serialises code, kind and retryAfterMs; wraps foreign errors without their text', () => {
    const e = new GatewayError('GW_PROVIDER_RATE_LIMITED', 'slow down', { provider: 'x', retryAfterMs: 1234.4 });
    expect(e.toJSON()).toEqual({
      name: 'GatewayError',
      code: 'GW_PROVIDER_RATE_LIMITED',
      kind: 'rate_limited',
      message: 'slow down',
      provider: 'x',
      retryAfterMs: 1234,
    });
    const wrapped = toGatewayError(new Error('password=hunter2 leaked'), 'p');
    expect(wrapped).toMatchObject({ code: 'GW_INTERNAL', kind: 'transient', provider: 'p' });
    expect(wrapped.message).not.toContain('hunter2');
  });
});
