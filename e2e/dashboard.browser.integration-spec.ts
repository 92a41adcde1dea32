// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the whole
// stack: sign in with the admin token, add a provider key (only its last 4 shown), move a provider
// to another host after confirming that its keys go there, reorder
// priority with the keyboard, set a fallback and routing policies, create a gateway API key (shown once), see provider
// health and the router's live routing figures after a request went through; a refused token returns to the sign-in form.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  buildDashboardForTest,
  expectEventually,
  startFakeOpenAi,
  startGatewayStack,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const PROVIDER_KEY = 'sk-proj-dashboardBrowserKey0123456789wxyz';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Code run in the page is passed as strings: this file is typechecked for Node, without the DOM lib.
interface ProviderListing {
  id: string;
  priority: number;
}

if (!HAVE_CHROMIUM) {
  console.warn(`dashboard browser test SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium); .ci/run installs it`);
}

const describeInBrowser = HAVE_CHROMIUM ? describe : describe.skip;
const title = HAVE_CHROMIUM
  ? 'dashboard in Chromium'
  : `dashboard in Chromium — SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium)`;

describeInBrowser(title, () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let dashboardDir: string;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  const order = async (): Promise<string[]> => {
    const listed = await stack.admin('GET', '/admin/v1/providers');
    return (listed.body as ProviderListing[]).sort((a, b) => a.priority - b.priority).map((p) => p.id);
  };

  beforeAll(async () => {
    dashboardDir = buildDashboardForTest();
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, env: { DASHBOARD_DIR: dashboardDir } });
    base = stack.ingressUrls[0];
    profileDir = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await stack?.close();
    await upstream?.close();
    for (const dir of [dashboardDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs in with the admin token, kept out of the page', async () => {
    await page.goto(`${base}/dashboard/`);
    const token = page.getByLabel('Admin token');
    await token.fill(stack.adminToken);
    await token.press('Enter');
    await page.getByRole('heading', { name: 'Providers and priority' }).waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('ai-gateway.admin-token')")).toBe(stack.adminToken);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(await token.inputValue()).toBe('');
    expect(await page.content()).not.toContain(stack.adminToken);
  });

  it('adds a provider key and lists it by its last 4 characters only', async () => {
    const panel = page.locator('#provider-keys');
    await panel.getByLabel('Provider', { exact: true }).selectOption('openai');
    await panel.getByLabel('Key name').fill('primary');
    const secret = panel.getByLabel('Provider API key');
    expect(await secret.getAttribute('type')).toBe('password');
    await secret.fill(PROVIDER_KEY);
    await panel.getByRole('button', { name: 'Add key' }).click();
    const row = panel.locator('tbody tr', { hasText: 'primary' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`••••${PROVIDER_KEY.slice(-4)}`);
    expect(await secret.inputValue()).toBe('');
    expect(await page.content()).not.toContain(PROVIDER_KEY.slice(0, 12));
    const listed = await stack.admin('GET', '/admin/v1/provider-keys');
    expect(listed.body).toEqual([expect.objectContaining({ provider: 'openai', name: 'primary', last4: PROVIDER_KEY.slice(-4) })]);
  });

  it("adds a Vertex provider with its project and location, and its service-account JSON through a masked multi-line field, never shown again", async () => {
    const providers = page.locator('#providers');
    await providers.getByLabel('Provider id').fill('gcp');
    await providers.getByLabel('Kind').selectOption('vertex');
    expect(await providers.getByLabel('Base URL', { exact: true }).inputValue()).toBe('https://aiplatform.googleapis.com');
    await providers.getByLabel('Project').fill('dashboard-project');
    await providers.getByLabel('Location').fill('us-central1');
    await providers.getByRole('button', { name: 'Add provider' }).click();
    await providers.locator('.provider-list li[data-id="gcp"]', { hasText: 'project dashboard-project · location us-central1' }).waitFor();
    const stored = ((await stack.admin('GET', '/admin/v1/providers')).body as Array<Record<string, unknown>>).find((p) => p.id === 'gcp');
    expect(stored).toMatchObject({ kind: 'vertex', project: 'dashboard-project', location: 'us-central1' });

    const privateKey = `-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC${'Z'.repeat(48)}\n-----END PRIVATE KEY-----\n`;
    const serviceAccount = JSON.stringify({ type: 'service_account', project_id: 'dashboard-project', private_key: privateKey, client_email: 'gw@dashboard-project.iam.gserviceaccount.com' }, null, 2);
    const keys = page.locator('#provider-keys');
    await keys.getByLabel('Provider', { exact: true }).selectOption('gcp');
    await keys.getByLabel('Key name').fill('service-account');
    const credential = keys.getByLabel('Provider key or credential JSON');
    expect(await credential.evaluate((element) => element.tagName)).toBe('TEXTAREA');
    type Styles = { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } };
    const masking = await credential.evaluate((element) => (globalThis as unknown as Styles).getComputedStyle(element).getPropertyValue('-webkit-text-security'));
    expect(masking).toBe('disc');
    await credential.fill(serviceAccount);
    await keys.getByRole('button', { name: 'Add key' }).click();
    await keys.locator('tbody tr', { hasText: 'service-account' }).waitFor();
    expect(await credential.inputValue()).toBe('');
    expect(await page.content()).not.toContain(privateKey.slice(30, 46));
    const listed = (await stack.admin('GET', '/admin/v1/provider-keys')).body as Array<{ provider: string; name: string }>;
    expect(listed).toContainEqual(expect.objectContaining({ provider: 'gcp', name: 'service-account' }));
  });

  it('moves a provider to another host only after the operator confirms that its keys go there', async () => {
    const baseUrlOf = async (id: string): Promise<string | undefined> =>
      ((await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; baseUrl: string }>).find((p) => p.id === id)?.baseUrl;
    const before = await baseUrlOf('anthropic');
    const item = page.locator('.provider-list li[data-id="anthropic"]');
    const target = 'http://anthropic-proxy.internal:8443';
    await item.getByLabel('Base URL of anthropic').fill(target);
    await item.getByRole('button', { name: 'Save URL' }).click();
    const question = item.getByRole('alert');
    await question.waitFor();
    expect(await question.textContent()).toContain(`sends its provider keys to ${target}`);
    // Cancel: nothing sent, the form is back.
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.getByLabel('Base URL of anthropic').waitFor();
    expect(await baseUrlOf('anthropic')).toBe(before);
    // Confirm: saved.
    await item.getByLabel('Base URL of anthropic').fill(target);
    await item.getByRole('button', { name: 'Save URL' }).click();
    const drawnBeforeSave = await item.elementHandle();
    await item.getByRole('button', { name: 'Yes, send its keys there' }).click();
    await expectEventually(async () => expect(await baseUrlOf('anthropic')).toBe(target));
    // The list is drawn again after the save: the next test must not focus a row about to be replaced.
    await drawnBeforeSave?.waitForElementState('hidden');
    expect(await item.getByLabel('Base URL of anthropic').inputValue()).toBe(target);
  });

  it('reorders priority with the keyboard alone, and the next GET shows the new order', async () => {
    const before = await order();
    expect(before.length).toBeGreaterThanOrEqual(2);
    const second = before[1];
    const up = page.getByRole('button', { name: `Move up ${second}` });
    await up.focus();
    await page.keyboard.press('Enter');
    const expected = [second, before[0], ...before.slice(2)];
    await expectEventually(async () => expect(await order()).toEqual(expected));
    await page.locator('.provider-list li').first().and(page.locator(`[data-id="${second}"]`)).waitFor();
    // Focus stays on the moved provider (its Move up is now disabled: on its Move down).
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe(`Move down ${second}`);
    // And back, with Space this time.
    await page.keyboard.press('Space');
    await expectEventually(async () => expect(await order()).toEqual(before));
    // The list is drawn again after each save: wait for that before focusing a button in it.
    await page.locator('.provider-list li').first().and(page.locator(`[data-id="${before[0]}"]`)).waitFor();
    await page.getByRole('button', { name: `Move up ${second}` }).focus();
    await page.keyboard.press('Enter');
    await expectEventually(async () => expect(await order()).toEqual(expected));
  });

  it('checks a fallback row before saving, then saves the fallback map', async () => {
    const panel = page.locator('#fallbacks');
    await panel.getByRole('button', { name: 'Add row' }).click();
    await panel.getByLabel('Model of row 1').fill('gpt-4o');
    await panel.getByLabel('Fallback models of row 1').fill('gpt-4o');
    await panel.getByRole('button', { name: 'Save fallbacks' }).click();
    await panel.getByText('"gpt-4o" cannot fall back to itself.', { exact: false }).first().waitFor();
    expect((await stack.admin('GET', '/admin/v1/routing/fallbacks')).body).toEqual({ fallbacks: {} });

    await panel.getByLabel('Fallback models of row 1').fill('claude-3-5-sonnet');
    await panel.getByRole('button', { name: 'Save fallbacks' }).click();
    await expectEventually(async () =>
      expect((await stack.admin('GET', '/admin/v1/routing/fallbacks')).body).toEqual({ fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } }),
    );
    await page.getByText('Fallback map saved (1 model).').waitFor();
  });

  it('checks a routing policy row before saving, then saves the default and a weighted model with a hedge', async () => {
    const panel = page.locator('#routing-policies');
    await panel.getByLabel('Strategy of the default').selectOption('availability');
    await panel.getByRole('button', { name: 'Add model' }).click();
    await panel.getByLabel('Model of row 2').fill('gpt-4o');
    await panel.getByLabel('Strategy of row 2').selectOption('weighted');
    await panel.getByLabel('Weights of row 2').fill('openai');
    await panel.getByRole('button', { name: 'Save policies' }).click();
    await panel.getByText('"openai" is not provider=weight', { exact: false }).first().waitFor();
    expect((await stack.admin('GET', '/admin/v1/routing/policies')).body).toEqual({ default: { strategy: 'priority' }, models: {} });

    await panel.getByLabel('Weights of row 2').fill('openai=3');
    await panel.getByLabel('Hedge after (ms or p95) of row 2').fill('800');
    await panel.getByRole('button', { name: 'Save policies' }).click();
    await expectEventually(async () =>
      expect((await stack.admin('GET', '/admin/v1/routing/policies')).body).toEqual({
        default: { strategy: 'availability' },
        models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 3 }, hedge: { afterMs: 800 } } },
      }),
    );
    await page.getByText('Routing policies saved (default availability, 1 model).').waitFor();
  });

  it('creates a gateway API key, shows it once with a copy button, and the key works', async () => {
    const panel = page.locator('#api-keys');
    await panel.getByLabel('Key name').fill('browser-team');
    await panel.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('#new-key-value');
    await shown.waitFor();
    const key = (await shown.textContent()) ?? '';
    expect(key).toMatch(/^gw-[A-Za-z0-9_-]{20,}$/);
    await panel.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Key copied to the clipboard.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);
    await panel.locator('tbody tr', { hasText: 'browser-team' }).waitFor();

    const completion = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello from the dashboard test' }] }),
    });
    expect(completion.status).toBe(200);
    expect(completion.headers.get('x-gateway-provider')).toBe('openai');

    await panel.getByRole('button', { name: 'Done, hide the key' }).click();
    expect(await shown.count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    const listed = await stack.admin('GET', '/admin/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
  });

  it('creates a team with a budget and limits, changes its limits, gives it a key, and shows its spend against budget', async () => {
    const panel = page.locator('#teams');
    await panel.getByLabel('Team name').fill('browser-team-a');
    await panel.getByLabel('Budget (USD)').fill('5');
    await panel.getByLabel('Budget period').selectOption('week');
    await panel.getByLabel('Requests per minute').fill('30');
    await panel.getByRole('button', { name: 'Create team' }).click();
    const row = panel.locator('tbody tr', { hasText: 'browser-team-a' });
    await row.waitFor();
    expect(await row.textContent()).toContain('$5.00 per week');
    expect(await row.textContent()).toContain('30 req/min');
    const teamId = (await row.getAttribute('data-id')) ?? '';
    expect(teamId).toMatch(/^team_/);

    await row.getByRole('button', { name: 'Edit team browser-team-a' }).click();
    await panel.getByLabel('Requests per minute').fill('90');
    await panel.getByLabel('Concurrent requests').fill('4');
    await panel.getByRole('button', { name: 'Save team' }).click();
    await expectEventually(async () =>
      expect((await stack.admin('GET', `/admin/v1/teams/${teamId}`)).body).toMatchObject({ budget: { amountUsd: 5, period: 'week' }, limits: { rpm: 90, concurrent: 4 } }),
    );

    const keys = page.locator('#api-keys');
    await keys.getByLabel('Key name').fill('browser-team-key');
    await keys.getByLabel('Team', { exact: true }).selectOption({ label: 'browser-team-a' });
    await keys.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('#new-key-value');
    await shown.waitFor();
    const key = (await shown.textContent()) ?? '';
    await keys.getByRole('button', { name: 'Done, hide the key' }).click();
    expect(await keys.locator('tbody tr', { hasText: 'browser-team-key' }).textContent()).toContain('browser-team-a');
    const completion = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 20, messages: [{ role: 'user', content: 'spend something' }] }),
    });
    expect(completion.status).toBe(200);
    await expectEventually(async () => expect(((await stack.admin('GET', `/admin/v1/teams/${teamId}/spend`)).body as { spentUsd: number }).spentUsd).toBeGreaterThan(0));
    // The panel shows it once drawn again (a change of any team redraws the list).
    await panel.getByLabel('Team name').fill('browser-team-b');
    await panel.getByRole('button', { name: 'Create team' }).click();
    await panel.locator('tbody tr', { hasText: 'browser-team-b' }).waitFor();
    const spent = await row.locator('td').nth(3).textContent();
    expect(spent).toMatch(/\$0\.0\d+ of \$5\.00/);
    expect(await row.locator('meter').count()).toBe(1);
  });

  it('shows provider health once a request has gone through (refreshed every 5 s)', async () => {
    const row = page.locator('#analytics tbody tr[data-provider="openai"]');
    await row.waitFor({ timeout: 30_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('healthy');
    expect(Number(cells[1].replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    expect(cells[2]).toBe('0%');
    expect(cells[3]).toMatch(/^\d+ ms$|^\d+\.\d+ s$/);
    expect(await page.locator('#health-updated').textContent()).toMatch(/^Updated \d\d:\d\d:\d\d$/);
  }, 45_000);

  it("shows the router's live figures per provider and model once a request went through", async () => {
    const panel = page.locator('#routing-policies');
    await expectEventually(async () => {
      await panel.getByRole('button', { name: 'Refresh figures' }).click();
      const cells = await page.locator('#routing-stats tbody tr').first().locator('td').allTextContents();
      expect(cells[0]).toBe('openai');
      expect(cells[3]).toMatch(/^\d+ ms$/);
      expect(cells[4]).toBe('0.0%');
    }, 20_000);
  }, 30_000);

  it('shows a key the provider refuses (401) as failing, highlighted, until it is rotated', async () => {
    const spareKey = 'sk-proj-dashboardSpareKey0123456789abcd';
    const rotatedKey = 'sk-proj-dashboardSpareRotated0123456789';
    const panel = page.locator('#provider-keys');
    await panel.getByLabel('Provider', { exact: true }).selectOption('openai');
    await panel.getByLabel('Key name').fill('spare');
    await panel.getByLabel('Provider API key').fill(spareKey);
    await panel.getByRole('button', { name: 'Add key' }).click();
    await panel.locator('tbody tr', { hasText: 'spare' }).waitFor();
    // The fake knows only the primary key: the round robin's turn on the spare answers 401.
    const created = (await stack.admin('POST', '/admin/v1/api-keys', { name: 'browser-keys' })).body as { key: string };
    const client = new OpenAI({ apiKey: created.key, baseURL: `${base}/v1`, maxRetries: 0 });
    await expectEventually(async () => {
      await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      const listed = (await stack.admin('GET', '/admin/v1/provider-keys')).body as Array<{ name: string; status?: string }>;
      expect(listed.find((entry) => entry.name === 'spare')?.status).toBe('failing');
    }, 10_000);

    await page.reload();
    const row = page.locator('#provider-keys tbody tr', { hasText: 'spare' });
    await row.waitFor();
    expect(await row.getAttribute('class')).toBe('key-failing');
    expect(await row.getAttribute('data-state')).toBe('failing');
    expect(await row.locator('td').nth(3).textContent()).toMatch(/^failing \(401\) since .+: rotate it$/);
    expect(await page.locator('#provider-keys tbody tr', { hasText: 'primary' }).locator('td').nth(3).textContent()).toBe('in pool');

    upstream.setValidKeys([PROVIDER_KEY, rotatedKey]);
    await row.getByRole('button', { name: /^Rotate/ }).click();
    await row.getByLabel(/^New key for openai/).fill(rotatedKey);
    await row.getByRole('button', { name: 'Save new key' }).click();
    await expectEventually(async () => {
      await page.reload();
      const rotated = page.locator('#provider-keys tbody tr', { hasText: 'spare' });
      expect(await rotated.getAttribute('data-state')).toBe('ok');
      expect(await rotated.getAttribute('class')).toBeNull();
    }, 10_000);
    expect(await page.content()).not.toContain(rotatedKey.slice(0, 16));
  });

  it('renders (screenshot) without script errors or CSP violations', async () => {
    const file = join(profileDir, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(statSync(file).size).toBeGreaterThan(1000);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pageErrors).toEqual([]);
    // To look at it: DASHBOARD_SCREENSHOT=/some/file.png npx jest e2e/dashboard.browser --selectProjects integration
    if (process.env.DASHBOARD_SCREENSHOT) copyFileSync(file, process.env.DASHBOARD_SCREENSHOT);
  });

  it('returns to the sign-in form when the API refuses the token (401)', async () => {
    await page.evaluate("sessionStorage.setItem('ai-gateway.admin-token', 'not-the-admin-token-000')");
    await page.reload();
    await page.getByText('Your session ended: the admin token was refused. Sign in again.').waitFor();
    expect(await page.getByLabel('Admin token').isVisible()).toBe(true);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('ai-gateway.admin-token')")).toBeNull();
    expect(await page.locator('#app').isHidden()).toBe(true);
  });
});
