/**
 * The dashboard in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * loads without console errors, shows every capability, reflects a provider going down within
 * one refresh, runs a self-check, and isolates a provider with an admin key. Saves a screenshot
 * to test-results/dashboard.png. Accessibility: axe-core's WCAG 2.1 A/AA rules (contrast, names,
 * landmarks, tables) pass on the live page, and the controls work from the keyboard alone.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { ADMIN_KEY, api, silent, testConfig, webhook } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: the dashboard test needs Debian's chromium package`);
  console.warn(`skipping the dashboard browser test: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const POLL_MS = 2_500;
let browser: Browser;
let app: FastifyInstance;
let gateway: Gateway;
let url: string;
let page: Page;
const consoleErrors: string[] = [];

// The SQLite store, so the jobs panel has jobs to show.
const dataDir = mkdtempSync(join(tmpdir(), 'aicmo-dashboard-'));
const config = testConfig({}, (raw) => {
  raw.store = `sqlite:${join(dataDir, 'gw.db')}`;
  raw.capabilities = {
    ...raw.capabilities,
    social_posting_x: {
      providers: [
        { name: 'x_native', type: 'x', sandbox: { latencyMs: 0 } },
        { name: 'webhook_x', type: 'social_webhook', sandbox: { latencyMs: 0 } },
      ],
    },
    lead_enrichment: {
      providers: [
        { name: 'apollo_enrichment', type: 'apollo', limits: { ratePerSecond: 5 }, sandbox: { latencyMs: 0 } },
        { name: 'dropcontact_enrichment', type: 'dropcontact', sandbox: { latencyMs: 0 } },
      ],
    },
  };
});

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await gateway?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks for a key, then shows every capability with its providers, without console errors', async () => {
    for (let i = 0; i < 3; i++)
      await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    await page.goto(url);
    await expect.poll(() => page.textContent('#updated')).toContain('Enter an API key');
    await page.fill('#api-key', ADMIN_KEY);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
    const rows = await page.$$eval('[data-capability]', (els) => els.map((e) => e.getAttribute('data-capability')));
    expect(rows.sort()).toEqual(
      gateway
        .listProviderChains()
        .map((c) => c.capability)
        .sort(),
    );
    const cards = await page.$$eval('[data-provider]', (els) => els.map((e) => e.getAttribute('data-provider')));
    expect(cards.sort()).toEqual(
      gateway
        .listProviders()
        .map((p) => p.name)
        .sort(),
    );
    expect(await page.getAttribute('[data-provider="hook_primary"]', 'data-health')).toBe('HEALTHY');
    expect(await page.textContent('[data-provider="hook_primary"]')).toContain('100%');
    // A provider with a pace shows it; one without none.
    expect(await page.textContent('[data-provider="apollo_enrichment"]')).toContain('Pace5/s');
    expect(await page.textContent('[data-provider="hook_primary"]')).not.toContain('Pace');
    // At a glance on 1366x768: nothing scrolls sideways, and every capability's row starts on the first screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    const rowTops = await page.$$eval('[data-capability]', (els) => els.map((e) => e.getBoundingClientRect().top));
    expect(Math.max(...rowTops)).toBeLessThan(768);
    expect(consoleErrors).toEqual([]);
  });

  it('reflects a provider going down in the sandbox within one refresh', async () => {
    gateway.getSandbox('hook_primary')!.setFailure('transient');
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
      expect(res.json().provider).toBe('hook_backup');
    }
    const health = gateway.findProvider('hook_primary')!.status().toJSON().health;
    expect(health).not.toBe('HEALTHY');
    const since = Date.now();
    await page.waitForSelector(`[data-provider="hook_primary"][data-health="${health}"]`, { timeout: POLL_MS + 1_500 });
    expect(Date.now() - since).toBeLessThan(POLL_MS + 1_500);
    const card = await page.textContent('[data-provider="hook_primary"]');
    expect(card).toContain('GW_PROVIDER_TRANSIENT');
  });

  it('shows how many deliveries the outbox holds for a capability that is down', async () => {
    for (const name of ['x_native', 'webhook_x']) gateway.findProvider(name)!.isolate();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/social_posting_x',
      headers: api,
      payload: { text: 'queued while down' },
    });
    expect(res.statusCode).toBe(202);
    await page.waitForSelector('[data-capability="social_posting_x"]:has-text("1 queued")', { timeout: POLL_MS + 1_500 });
    for (const name of ['x_native', 'webhook_x']) gateway.findProvider(name)!.reset();
  });

  it('charts the last hour: calls and failures per provider with p95, failovers per capability, the outbox backlog', async () => {
    // From the tests above: hook_primary failed (and the chain failed over), and social_posting_x queued one delivery.
    const history = (await app.inject({ method: 'GET', url: '/v1/history', headers: api })).json<{
      providers: { provider: string; calls: number[]; failures: number[] }[];
      failovers: { capability: string; total: number }[];
    }>();
    const primary = history.providers.find((p) => p.provider === 'hook_primary')!;
    const failed = primary.failures.reduce((a, b) => a + b, 0);
    expect(failed).toBeGreaterThan(0);
    const failovers = history.failovers.find((f) => f.capability === 'webhook_dispatch')!.total;
    expect(failovers).toBeGreaterThan(0);

    const row = '[data-history-provider="hook_primary"]';
    await page.waitForSelector(row, { timeout: POLL_MS + 1_500 });
    expect(await page.getAttribute(`${row} svg`, 'aria-label')).toMatch(
      new RegExp(`^hook_primary, last hour: \\d+ calls, ${failed} failed, success `),
    );
    expect(await page.$$eval(`${row} svg rect.bar-bad`, (els) => els.length)).toBeGreaterThan(0);
    expect(await page.$$eval('[data-history-provider="hook_backup"] svg polyline.line', (els) => els.length)).toBe(1);
    expect(await page.textContent('[data-history-failovers="webhook_dispatch"]')).toContain(`${failovers} failover`);
    await expect.poll(() => page.getAttribute('[data-backlog]', 'data-backlog'), { timeout: POLL_MS + 1_500 }).toBe('1');
  });

  it('shows each job with a progress bar, its count and its rate', async () => {
    const items = Array.from({ length: 20 }, (_, i) => webhook(`job.item.${i}`));
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'webhook_dispatch', items } });
    expect(res.statusCode).toBe(202);
    const id = res.json<{ job: { id: string } }>().job.id;
    const row = `[data-job="${id}"][data-state="completed"]`;
    await page.waitForSelector(row, { timeout: POLL_MS * 2 + 1_500 });
    expect(await page.textContent(row)).toContain('20 / 20 done');
    const bar = page.locator(`${row} progress`);
    expect(await bar.getAttribute('value')).toBe('20');
    expect(await bar.getAttribute('max')).toBe('20');
    expect(await bar.getAttribute('aria-label')).toBe(`webhook_dispatch job ${id}: 20 of 20 done`);
  });

  it('shows deliverability per provider: counts, both rates against their thresholds, and 24 hourly bars', async () => {
    const events = gateway.store.mailEvents();
    const now = Date.now();
    await events.countSent('esp_main', 400, now - 2 * 3_600_000);
    await events.countSent('esp_main', 600, now);
    for (let i = 0; i < 4; i++)
      await events.append({
        provider: 'esp_main',
        eventId: `c${i}`,
        type: 'complaint',
        address: `c${i}@example.com`,
        at: now,
        receivedAt: now,
      });
    await events.append({ provider: 'esp_main', eventId: 'b1', type: 'hard_bounce', address: 'b1@example.com', at: now, receivedAt: now });
    const row = '[data-provider="esp_main"][data-complaint="critical"]';
    await page.waitForSelector(row, { timeout: POLL_MS * 2 + 6_500 });
    const text = await page.textContent(row);
    expect(text).toContain('1000 sent · 0 delivered · 1 bounced · 4 complained · 0 unsubscribed');
    expect(text).toContain('Complaints 0.40 % (critical)');
    expect(text).toContain('Hard bounces 0.10 % (ok)');
    expect(await page.getAttribute(`${row} svg`, 'aria-label')).toBe(
      'esp_main, last 24 hours: 1000 sent, 5 bounced or complained (bars per hour, oldest first)',
    );
    expect(await page.locator(`${row} svg rect`).count()).toBe(3);
    expect(await page.textContent('#deliverability-window')).toContain('Complaints warn at 0.10 %, critical at 0.30 %');
  });

  it('runs a self-check from its button and shows the results and recommendations', async () => {
    gateway.getSandbox('apollo_enrichment')!.setFailure('auth');
    await page.click('#self-check');
    await expect.poll(() => page.textContent('#notice'), { timeout: 10_000 }).toMatch(/Self-check done: \d+ ok, \d+ failed/);
    const results = await page.$$eval('#checks tr', (trs) => trs.length);
    expect(results).toBeGreaterThan(0);
    await expect.poll(() => page.textContent('#recommendations'), { timeout: POLL_MS + 1_500 }).toContain('apollo_enrichment');
    expect(consoleErrors).toEqual([]);
  });

  it('isolates a provider with the admin key (recorded with the key name) and takes a screenshot', async () => {
    await page.click('button[aria-label="Isolate verifier"]');
    await page.waitForSelector('[data-provider="verifier"][data-breaker="isolated"]', { timeout: POLL_MS + 1_500 });
    const [event] = await gateway.store.queryEvents({ type: 'admin_action' });
    expect(event).toMatchObject({ provider: 'verifier', actor: 'api:ops' });
    // Keyboard: the self-check button is reachable and focus is visible.
    await page.focus('#self-check');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('self-check');
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    mkdirSync(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: resolve('test-results/dashboard.png') });
    expect(consoleErrors).toEqual([]);
  });

  it("passes axe-core's WCAG 2.1 A and AA rules on the live page (an isolated provider, recommendations, checks)", async () => {
    // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly refuses an injected <script>.
    await page.evaluate(readFileSync(AXE, 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
        }
      ).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => ({ rule: v.id, help: v.help, where: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
    });
    expect(violations).toEqual([]);
  });

  it('works from the keyboard alone: Tab reaches the controls with a visible focus ring, Enter runs the self-check', async () => {
    await page.reload();
    await page.waitForSelector('[data-provider="verifier"]');
    const reached = new Set<string>();
    let selfCheckRing = '';
    for (let i = 0; i < 80 && !(reached.has('self-check') && [...reached].some((r) => r.startsWith('Isolate '))); i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { id: el.id, label: el.getAttribute('aria-label') ?? '', ring: `${style.outlineStyle} ${style.outlineWidth}` };
      });
      if (!focused) continue;
      reached.add(focused.id || focused.label);
      if (focused.id === 'self-check') selfCheckRing = focused.ring;
    }
    expect(reached.has('self-check')).toBe(true);
    expect([...reached].some((r) => r.startsWith('Isolate '))).toBe(true);
    expect(selfCheckRing).toBe('solid 3px');

    await page.focus('#self-check');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#notice'), { timeout: 10_000 }).toMatch(/Self-check done: \d+ ok, \d+ failed/);
    expect(consoleErrors).toEqual([]);
  });

  it('the API reference at /docs renders every operation of /openapi.json under its CSP, without a key or console errors', async () => {
    const docsPage = await browser.newPage();
    const errors: string[] = [];
    docsPage.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    docsPage.on('pageerror', (error) => errors.push(error.message));
    await docsPage.goto(`${url}/docs`);
    await docsPage.waitForSelector('.opblock', { timeout: 15_000 });
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, object> }>();
    const operations = Object.values(document.paths).reduce<number>((n, item) => n + Object.keys(item).length, 0);
    await expect.poll(() => docsPage.$$eval('.opblock', (els) => els.length)).toBe(operations);
    expect(await docsPage.textContent('.title')).toContain('AICMO Gateway');
    expect(errors).toEqual([]);
    await docsPage.close();
  });
});
