// The dashboard as ingress serves it in the whole stack: built by tools/build.mjs (into a temp
// DASHBOARD_DIR), read at start, served at /dashboard/ with its CSP, next to a working admin API.
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { buildDashboardForTest, startGatewayStack, type GatewayStack } from '@ai-gateway/testing';

const CSP = "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ingress serves the dashboard', () => {
  let dashboardDir: string;
  let stack: GatewayStack;
  let base: string;

  beforeAll(async () => {
    dashboardDir = buildDashboardForTest();
    stack = await startGatewayStack({ env: { DASHBOARD_DIR: dashboardDir } });
    base = stack.ingressUrls[0];
  });

  afterAll(async () => {
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('redirects /dashboard to /dashboard/', async () => {
    const response = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/dashboard/');
  });

  it('serves index.html at /dashboard/ with the CSP and security headers', async () => {
    const response = await fetch(`${base}/dashboard/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toContain('<script type="module" src="main.js"></script>');
    expect(html).toContain('<label for="admin-token">Admin token</label>');
    // No inline script or style: the CSP would block them.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
  });

  it('serves the compiled ES modules and the stylesheet with their content types', async () => {
    const main = await fetch(`${base}/dashboard/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(main.headers.get('content-security-policy')).toBe(CSP);
    const source = await main.text();
    expect(source).toContain("from './admin-api.js'");
    expect(source).not.toMatch(/\brequire\(|exports\./); // ES modules, not CommonJS
    const api = await fetch(`${base}/dashboard/admin-api.js`);
    expect(api.status).toBe(200);
    expect(await api.text()).toContain('/admin/v1/providers');
    const css = await fetch(`${base}/dashboard/styles.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each(['/dashboard/../package.json', '/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard/..%2f..%2fpackage.json', '/dashboard/nope.js', '/dashboard/admin-api.ts'])(
    'answers 404 for %s',
    async (path) => {
      const response = await rawGet(base, path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('"name": "ai-gateway"');
      expect(JSON.parse(response.body)).toEqual({ error: expect.objectContaining({ code: 'unknown_url' }) });
    },
  );

  it('leaves the admin API and the other routes as they were', async () => {
    expect((await stack.admin('GET', '/admin/v1/providers')).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const unknown = await fetch(`${base}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toBeNull();
  });
});

describe('ingress without a dashboard build', () => {
  let stack: GatewayStack;

  beforeAll(async () => {
    stack = await startGatewayStack({ env: { DASHBOARD_DIR: '/nonexistent/dashboard-build' } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('still starts and serves the API; /dashboard/ answers 503 saying how to build it', async () => {
    expect((await stack.admin('GET', '/admin/v1/providers')).status).toBe(200);
    const response = await fetch(`${stack.ingressUrls[0]}/dashboard/`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('dashboard_not_built');
    expect(body.error.message).toContain('npm run build');
    expect(stack.logText()).toContain('dashboard unavailable');
  });
});
