import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_HEADERS, defaultDashboardDirs, loadDashboard, registerDashboardRoutes } from './dashboard.routes';

const REPO = resolve(__dirname, '../../..');

describe('dashboard static files', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-routes-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'main.js'), 'export {};');
    writeFileSync(join(dir, 'styles.css'), 'body{}');
    writeFileSync(join(dir, 'notes.exe'), 'MZ');
    writeFileSync(join(dir, '.hidden.js'), 'x');
    mkdirSync(join(dir, 'img'));
    writeFileSync(join(dir, 'img', 'logo.svg'), '<svg/>');
    app = Fastify();
    registerDashboardRoutes(app, loadDashboard(dir));
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects /dashboard to /dashboard/', async () => {
    const response = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/dashboard/');
  });

  it.each([
    ['/dashboard/', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/dashboard/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/dashboard/main.js', 'text/javascript; charset=utf-8', 'export {};'],
    ['/dashboard/styles.css', 'text/css; charset=utf-8', 'body{}'],
    ['/dashboard/img/logo.svg', 'image/svg+xml', '<svg/>'],
    ['/dashboard/main.js?v=2', 'text/javascript; charset=utf-8', 'export {};'],
  ])('serves %s as %s with the security headers', async (url, type, start) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.body.startsWith(start)).toBe(true);
    for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) expect(response.headers[name]).toBe(value);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    );
  });

  it.each([
    '/dashboard/nope.js',
    '/dashboard/notes.exe',
    '/dashboard/.hidden.js',
    '/dashboard/../package.json',
    '/dashboard/%2e%2e/package.json',
    '/dashboard/..%2f..%2fpackage.json',
    '/dashboard/img',
    '/dashboard/img/',
    '/dashboard//etc/passwd',
    '/dashboard/%2fetc%2fpasswd',
  ])('answers 404 for %s (only the files read at start exist)', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).not.toContain('root:');
  });

  it('answers 503 with a clear message when there is no build, and says why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dashboard-empty-'));
    const bare = Fastify();
    const bundle = loadDashboard(undefined, [empty]);
    expect(bundle.dir).toBeUndefined();
    registerDashboardRoutes(bare, bundle);
    const response = await bare.inject({ method: 'GET', url: '/dashboard/' });
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      error: expect.objectContaining({ code: 'dashboard_not_built', message: expect.stringContaining('npm run build') }),
    });
    const explicit = loadDashboard(empty);
    expect(explicit.problem).toContain(`DASHBOARD_DIR ${empty}`);
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('finds the build in dist/ from the sources (jest) and from the compiled ingress (run time)', () => {
    const built = join(REPO, 'dist/apps/dashboard/public');
    expect(defaultDashboardDirs(join(REPO, 'apps/ingress/src'))[0]).toBe(built);
    expect(defaultDashboardDirs(join(REPO, 'dist/apps/ingress/src'))).toContain(built);
    // The image tree: /app/apps/ingress/src → /app/apps/dashboard/public.
    expect(defaultDashboardDirs('/app/apps/ingress/src')).toContain('/app/apps/dashboard/public');
    // The sources' public/ (no main.js) never counts as a build.
    expect(loadDashboard(undefined, [join(REPO, 'apps/dashboard/public')]).dir).toBeUndefined();
  });
});
