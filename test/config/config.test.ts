import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/errors.js';
import {
  BUNDLED_CONFIG,
  getDefaultProvider,
  getProviderChainConfig,
  listCapabilities,
  loadConfig,
  redactConfig,
  secretValues,
  validateConfig,
} from '../../src/config/index.js';

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): { path: string; message: string }[] {
  try {
    validateConfig(raw, env);
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).code).toBe('GW_CONFIG_INVALID');
    return (e as GatewayError).details!.problems as { path: string; message: string }[];
  }
  throw new Error('expected the config to be invalid');
}

const smtp = (extra: Record<string, unknown> = {}) => ({
  name: 'smtp_a',
  type: 'smtp',
  options: { host: 'smtp.example.com', port: 587, from: 'a@example.com', auth: { user: 'u', pass: 'super-secret-pass' } },
  ...extra,
});

describe('config validation', () => {
  it('accepts the bundled defaults in dry run (sandboxes stand in: no warnings) and in live mode (unset credentials = not configured)', () => {
    const dry = validateConfig(BUNDLED_CONFIG, {});
    expect(dry.config.mode).toBe('dry_run');
    expect(dry.warnings).toEqual([]);
    expect(Object.isFrozen(dry.config.capabilities)).toBe(true);
    const live = validateConfig(BUNDLED_CONFIG, { USE_REAL_GATEWAYS: 'true' });
    expect(live.config.mode).toBe('live');
    expect(live.warnings.some((w) => w.startsWith('smtp_gmail (email_sending) is not configured'))).toBe(true);
  });

  it('a chain takes the deadline its slowest provider needs (Dropcontact: 120 s); one configured shorter is kept with a warning naming the option', () => {
    const bundled = validateConfig(BUNDLED_CONFIG, {});
    expect(bundled.config.capabilities.lead_enrichment!.deadlineMs).toBe(120_000);
    expect(bundled.config.capabilities.email_sending!.deadlineMs).toBe(30_000);
    const raw = structuredClone(BUNDLED_CONFIG) as { capabilities: { lead_enrichment: { deadlineMs?: number } } };
    raw.capabilities.lead_enrichment.deadlineMs = 30_000;
    const short = validateConfig(raw, {});
    expect(short.config.capabilities.lead_enrichment!.deadlineMs).toBe(30_000);
    expect(short.warnings).toContain(
      'capabilities.lead_enrichment.deadlineMs is 30000 ms but dropcontact_enrichment (dropcontact) needs at least 120000 ms to finish a call: ' +
        'set capabilities.lead_enrichment.deadlineMs to 120000 or more',
    );
  });

  it('delivery.ledgerSync and delivery.memoryLedger: defaults, and a bad value named by its path', () => {
    expect(validateConfig({ capabilities: {} }, {}).config.delivery).toMatchObject({
      ledgerSync: 'normal',
      memoryLedger: { maxEntries: 100_000, maxMegabytes: 64 },
    });
    expect(validateConfig({ capabilities: {}, delivery: { ledgerSync: 'full' } }, {}).config.delivery.ledgerSync).toBe('full');
    const found = problems({ capabilities: {}, delivery: { ledgerSync: 'sometimes', memoryLedger: { maxEntries: 5 } } });
    expect(found.map((p) => p.path).sort()).toEqual(['delivery.ledgerSync', 'delivery.memoryLedger.maxEntries']);
  });

  it('deliverability.receivers: each type checked, names unique, a bad key or pattern named by its path, secrets redacted', () => {
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const receivers = [
      { name: 'sg', type: 'sendgrid', publicKey },
      { name: 'mg', type: 'mailgun', signingKey: 'mg-signing-key-secret' },
      { name: 'ses', type: 'ses', topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'] },
      { name: 'pm', type: 'postmark', username: 'hooks', password: 'postmark-hook-secret' },
      { name: 'partner', type: 'standard', secrets: [`whsec_${Buffer.from('partner-secret-0123456789').toString('base64')}`] },
    ];
    const config = validateConfig({ capabilities: {}, deliverability: { receivers } }, {}).config;
    expect(config.deliverability.receivers.map((r) => r.type)).toEqual(['sendgrid', 'mailgun', 'ses', 'postmark', 'standard']);
    expect(config.deliverability.receivers[2]).toMatchObject({ toleranceSeconds: 3_600, confirmSubscriptions: true });
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['mg-signing-key-secret', 'postmark-hook-secret', Buffer.from('partner-secret-0123456789').toString('base64')])
      expect(shown).not.toContain(secret);
    expect(secretValues(config)).toEqual(expect.arrayContaining(['mg-signing-key-secret', 'postmark-hook-secret']));
    const found = problems({
      capabilities: {},
      deliverability: {
        receivers: [
          { name: 'sg', type: 'sendgrid', publicKey: rsa },
          { name: 'sg', type: 'ses', topicArns: ['not-an-arn'], certUrlPattern: '([' },
          { name: 'x', type: 'carrier-pigeon' },
        ],
      },
    });
    expect(found.map((p) => p.path).sort()).toEqual(
      [
        'deliverability.receivers[0].publicKey',
        'deliverability.receivers[1].topicArns[0]',
        'deliverability.receivers[1].certUrlPattern',
        'deliverability.receivers[2].type',
      ].sort(),
    );
    const twice = problems({ capabilities: {}, deliverability: { receivers: [receivers[1], { ...receivers[3], name: 'mg' }] } });
    expect(twice).toEqual([{ path: 'deliverability.receivers[1].name', message: 'receiver name "mg" is used twice' }]);
  });

  it('reports every problem at once, each with its path', () => {
    const found = problems({
      mode: 'sometimes',
      server: { port: 70000, apiKeys: ['short'] },
      capabilities: {
        email_sending: { strategy: 'fastest', providers: [] },
        crm_sync: { deadlineMs: -1, providers: [{ name: 'Bad Name', type: 'airtable' }] },
        not_a_capability: { providers: [] },
      },
      surprise: true,
    });
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'mode',
        'server.port',
        'server.apiKeys[0]',
        'capabilities.email_sending.strategy',
        'capabilities.email_sending.providers',
        'capabilities.crm_sync.deadlineMs',
        'capabilities.crm_sync.providers[0].name',
      ]),
    );
    expect(found.length).toBeGreaterThanOrEqual(8);
  });

  it('checks provider options against the type schema in live mode, naming the option path', () => {
    const found = problems({
      mode: 'live',
      capabilities: { email_sending: { providers: [smtp({ options: { host: 'h', from: 'a@b.co', port: 'twenty-five' } })] } },
    });
    expect(found.map((p) => p.path)).toContain('capabilities.email_sending.providers[0].options.port');
  });

  it('refuses unknown provider types and types that do not serve the capability in live mode', () => {
    const found = problems({
      mode: 'live',
      capabilities: {
        email_sending: { providers: [{ name: 'carrier_pigeon', type: 'pigeon' }] },
        crm_sync: { providers: [smtp({ name: 'smtp_b' })] },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'capabilities.email_sending.providers[0].type',
          message: expect.stringContaining('unknown provider type "pigeon"'),
        }),
        expect.objectContaining({
          path: 'capabilities.crm_sync.providers[0].type',
          message: expect.stringContaining('does not serve crm_sync'),
        }),
      ]),
    );
    // In dry run the unknown type runs as a sandbox, with a warning.
    const dry = validateConfig({ capabilities: { email_sending: { providers: [{ name: 'carrier_pigeon', type: 'pigeon' }] } } }, {});
    expect(dry.warnings[0]).toContain('has no adapter');
  });

  it('refuses duplicate provider names and bad sandbox fault injection', () => {
    const found = problems({
      capabilities: {
        email_sending: { providers: [smtp(), smtp({ sandbox: { errorRate: { transient: 2 } } })] },
      },
    });
    expect(found.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'capabilities.email_sending.providers[1].name',
        'capabilities.email_sending.providers[1].sandbox.errorRate.transient',
      ]),
    );
  });

  it('interpolates ${VAR} and ${VAR:-default}; an unset whole reference means missing', () => {
    const { config, warnings } = validateConfig(
      {
        mode: 'live',
        store: '${STORE_URL:-memory:}',
        capabilities: {
          email_sending: {
            providers: [
              smtp({ options: { host: '${SMTP_HOST}', port: 587, from: '${SMTP_FROM}', auth: { user: 'u', pass: '${SMTP_PASS}' } } }),
            ],
          },
        },
      },
      { SMTP_HOST: 'smtp.example.com', SMTP_PASS: 'from-env-secret' },
    );
    expect(config.store).toBe('memory:');
    const opts = config.capabilities.email_sending!.providers[0]!.options;
    expect(opts.host).toBe('smtp.example.com');
    expect(opts.from).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('missing options.from')]);
  });

  it('an API or admin key entry whose variable is unset is an error naming the entry and the variable, not a silent drop', () => {
    const found = problems(
      { ...BUNDLED_CONFIG, server: { apiKeys: ['${API_KEY_A}', 'api-key-0123456789abcdef'], adminKeys: ['${ADMIN_KEY_A}'] } },
      { API_KEY_A: '' },
    );
    expect(found).toEqual([
      { path: 'server.apiKeys[0]', message: expect.stringContaining('${API_KEY_A} is not set') },
      { path: 'server.adminKeys[0]', message: expect.stringContaining('${ADMIN_KEY_A} is not set') },
    ]);
    const ok = validateConfig(
      { ...BUNDLED_CONFIG, server: { apiKeys: ['${API_KEY_A}'] } },
      { API_KEY_A: 'api-key-0123456789abcdef' },
    ).config;
    expect(ok.server.apiKeys).toEqual(['api-key-0123456789abcdef']);
  });

  it('a nested secret whose variable is unset makes the provider not configured, naming the field and the variable', () => {
    const raw = {
      mode: 'live',
      capabilities: {
        email_sending: {
          providers: [
            smtp({ options: { host: 'smtp.example.com', from: 'a@example.com', auth: { user: 'u', pass: '${SMTP_APP_PASSWORD}' } } }),
          ],
        },
      },
    };
    const { warnings } = validateConfig(raw, {});
    expect(warnings).toEqual(['smtp_a (email_sending) is not configured: missing options.auth.pass (${SMTP_APP_PASSWORD} is not set)']);
    // Set, it validates; a real type error next to it is still reported with its own path.
    expect(validateConfig(raw, { SMTP_APP_PASSWORD: 'x'.repeat(12) }).warnings).toEqual([]);
    const bad = {
      ...raw,
      capabilities: {
        email_sending: {
          providers: [
            smtp({
              options: { host: 'smtp.example.com', port: 'x', from: 'a@example.com', auth: { user: 'u', pass: '${SMTP_APP_PASSWORD}' } },
            }),
          ],
        },
      },
    };
    expect(problems(bad).map((p) => p.path)).toEqual(['capabilities.email_sending.providers[0].options.port']);
  });

  it('DRY_RUN_MODE=true or USE_REAL_GATEWAYS=false select dry run; GATEWAY_STORE overrides the store', () => {
    expect(validateConfig({ mode: 'live', capabilities: {} }, { DRY_RUN_MODE: 'true' }).config.mode).toBe('dry_run');
    expect(validateConfig({ mode: 'live', capabilities: {} }, { USE_REAL_GATEWAYS: 'false' }).config.mode).toBe('dry_run');
    expect(validateConfig({ capabilities: {} }, { GATEWAY_STORE: 'memory:' }).config.store).toBe('memory:');
  });

  it('never shows a secret in redacted config', () => {
    const { config } = validateConfig(
      {
        store: 'redis://admin:redis-pass-123@127.0.0.1:6379',
        server: { apiKeys: ['api-key-0123456789abcdef'], adminKeys: [{ name: 'ops', key: 'admin-key-0123456789abcdef' }] },
        monitoring: { alertWebhooks: [{ url: 'https://alerts.example.com/hook', secret: 'whsec_alertsecret' }] },
        capabilities: {
          email_sending: { providers: [smtp()] },
          crm_sync: { providers: [{ name: 'air', type: 'airtable', options: { apiToken: 'patSECRET123456', baseId: 'app1' } }] },
          webhook_dispatch: {
            providers: [
              {
                name: 'hook',
                type: 'webhook',
                options: { url: 'https://hooks.example.com/x', secrets: ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'] },
              },
            ],
          },
        },
      },
      {},
    );
    const secrets = [
      'super-secret-pass',
      'patSECRET123456',
      'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
      'api-key-0123456789abcdef',
      'admin-key-0123456789abcdef',
      'whsec_alertsecret',
      'redis-pass-123',
    ];
    const printed = JSON.stringify(redactConfig(config));
    for (const s of secrets) expect(printed).not.toContain(s);
    expect(printed).toContain('[redacted]');
    expect(secretValues(config)).toEqual(expect.arrayContaining(secrets.filter((s) => s !== 'redis-pass-123')));
  });

  it('loads YAML and JSON files, and reports a parse error with the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    writeFileSync(
      join(dir, 'gateway.config.yaml'),
      'mode: dry_run\nstore: "memory:"\ncapabilities:\n  webhook_dispatch:\n    providers:\n      - { name: hook, type: webhook }\n',
    );
    const loaded = loadConfig(undefined, {}, dir);
    expect(loaded.source).toBe(join(dir, 'gateway.config.yaml'));
    expect(listCapabilities(loaded.config)).toEqual(['webhook_dispatch']);
    writeFileSync(join(dir, 'bad.json'), '{ "mode": ');
    expect(() => loadConfig('bad.json', {}, dir)).toThrow(/not valid JSON/);
    expect(() => loadConfig('missing.yaml', {}, dir)).toThrow(/ENOENT/);
    expect(loadConfig(undefined, {}, tmpdir()).source).toBe('bundled defaults');
  });

  it('helpers over the bundled defaults mirror the seed chains', () => {
    expect(listCapabilities()).toHaveLength(9);
    expect(getProviderChainConfig('email_sending')!.providers.map((p) => p.name)).toEqual(['smtp_gmail', 'smtp_fallback']);
    expect(getProviderChainConfig('social_posting_linkedin')!.providers.map((p) => p.name)).toEqual([
      'linkedin_native',
      'webhook_linkedin',
    ]);
    expect(getProviderChainConfig('crm_sync')!.providers.map((p) => p.name)).toEqual(['airtable_sync', 'crm_webhook']);
    expect(getDefaultProvider('lead_enrichment')).toBe('apollo_enrichment');
    expect(getProviderChainConfig('lead_enrichment')!.providers.map((p) => p.name)).toEqual([
      'apollo_enrichment',
      'dropcontact_enrichment',
    ]);
  });
});
