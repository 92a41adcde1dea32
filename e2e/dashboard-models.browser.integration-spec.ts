// The dashboard's Models panel in a real browser (Debian's Chromium driven by playwright-core)
// against the whole stack: the effective catalog with prices, a price changed and reset, a model
// added on the provider that serves it and removed, a refused override shown as the API's message,
// and an OpenAI-compatible provider's models discovered and added to it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDashboardForTest, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface ModelRow {
  name: string;
  source: string;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  providers: string[];
}

if (!HAVE_CHROMIUM) {
  console.warn(`dashboard models browser test SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium); .ci/run installs it`);
}

const describeInBrowser = HAVE_CHROMIUM ? describe : describe.skip;

describeInBrowser('dashboard Models panel in Chromium', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let dashboardDir: string;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const rowOf = async (name: string): Promise<ModelRow | undefined> => ((await stack.admin('GET', '/admin/v1/models')).body as ModelRow[]).find((row) => row.name === name);
  const panel = () => page.locator('#models');
  const row = (name: string) => panel().locator(`tbody tr[data-name="${name}"]`);

  beforeAll(async () => {
    dashboardDir = buildDashboardForTest();
    upstream = await startFakeOpenAi({ models: ['acme-7b'] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, env: { DASHBOARD_DIR: dashboardDir } });
    expect((await stack.admin('PUT', '/admin/v1/providers/vllm', { kind: 'openai', baseUrl: upstream.baseUrl })).status).toBe(201);
    profileDir = mkdtempSync(join(tmpdir(), 'dashboard-models-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // The refused override is an expected 400 the browser reports for the fetch.
      if (message.type() === 'error' && !message.text().includes('400')) pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(`${stack.ingressUrls[0]}/dashboard/`);
    const token = page.getByLabel('Admin token');
    await token.fill(stack.adminToken);
    await token.press('Enter');
    await page.getByRole('heading', { name: 'Models and prices' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await stack?.close();
    await upstream?.close();
    for (const dir of [dashboardDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('lists the catalog with its prices per 1M tokens and the providers serving each model, and filters it', async () => {
    await row('gpt-4o').waitFor();
    const cells = await row('gpt-4o').locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['gpt-4o', 'catalog', '$2.50', '$10.00']);
    expect(cells[6]).toBe('openai');
    await panel().getByLabel('Filter models').fill('claude-3-5');
    expect(await panel().locator('tbody tr').count()).toBeGreaterThan(0);
    for (const name of await panel().locator('tbody tr td:first-child').allTextContents()) expect(name).toContain('claude-3-5');
    await panel().getByLabel('Filter models').fill('');
  });

  it('changes a price: the row shows it beside the built-in one, and the API has the override', async () => {
    await row('gpt-4o').getByRole('button', { name: 'Edit model gpt-4o' }).click();
    expect(await panel().getByLabel('Model name').inputValue()).toBe('gpt-4o');
    await panel().getByLabel('Output price (USD per 1M tokens)').fill('12');
    await panel().getByRole('button', { name: 'Save model' }).click();
    await row('gpt-4o').locator('td', { hasText: '$12.00 (was $10.00)' }).waitFor();
    expect(await row('gpt-4o').locator('td').nth(1).textContent()).toBe('override');
    expect(await rowOf('gpt-4o')).toMatchObject({ source: 'override', inputUsdPerMTok: 2.5, outputUsdPerMTok: 12 });
  });

  it('adds a model served by a named provider, and shows a refused one as the API explains it', async () => {
    const fill = async (fields: Record<string, string>): Promise<void> => {
      for (const [label, value] of Object.entries(fields)) await panel().getByLabel(label, { exact: true }).fill(value);
      await panel().getByRole('button', { name: 'Save model' }).click();
    };
    await fill({ 'Model name': 'acme-7b', 'Input price (USD per 1M tokens)': '0.5', 'Output price (USD per 1M tokens)': '1.5', 'Served by providers': 'no-such-provider' });
    const alert = page.getByRole('alert').filter({ hasText: 'unknown provider' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('no-such-provider');
    expect(await rowOf('acme-7b')).toBeUndefined();

    await fill({ 'Served by providers': 'vllm' });
    await row('acme-7b').waitFor();
    expect((await row('acme-7b').locator('td').allTextContents()).slice(0, 4)).toEqual(['acme-7b', 'added', '$0.50', '$1.50']);
    expect(await row('acme-7b').locator('td').nth(6).textContent()).toBe('vllm');
    expect(await rowOf('acme-7b')).toMatchObject({ source: 'override', providers: ['vllm'], inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5 });
  });

  it('resets an overridden price and removes an added model', async () => {
    await row('gpt-4o').getByRole('button', { name: 'Reset price model gpt-4o' }).click();
    await row('gpt-4o').locator('td', { hasText: 'catalog' }).waitFor();
    expect(await row('gpt-4o').locator('td').nth(3).textContent()).toBe('$10.00');
    await row('acme-7b').getByRole('button', { name: 'Remove model acme-7b' }).click();
    await row('acme-7b').waitFor({ state: 'detached' });
    expect(await rowOf('gpt-4o')).toMatchObject({ source: 'catalog', outputUsdPerMTok: 10 });
    expect(await rowOf('acme-7b')).toBeUndefined();
  });

  it("discovers an OpenAI-compatible provider's models and adds them to what it declares", async () => {
    await panel().getByLabel('Provider to ask').selectOption('vllm');
    await panel().getByRole('button', { name: 'Discover models' }).click();
    await panel().locator('.discovered-models li', { hasText: 'acme-7b' }).waitFor();
    expect(upstream.requests.some((r) => r.path === '/v1/models')).toBe(true);
    await panel().getByRole('button', { name: 'Add them to vllm' }).click();
    await page.getByRole('status').filter({ hasText: 'Added 1 model to vllm.' }).waitFor();
    const providers = (await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; models: string[] }>;
    expect(providers.find((p) => p.id === 'vllm')?.models).toEqual(['acme-7b']);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
