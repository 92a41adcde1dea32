// What the image holds is what this test runs, without a container engine: `npm run build:dist`
// output laid out the way deploy/Dockerfile lays out /app (node_modules from
// `npm ci --omit=dev`, then dist-image/ copied over it), every service started through the
// image's entrypoint (`node entrypoint.mjs`, the service chosen by APP) as a non-root user,
// checked healthy, used end to end, drained. The "image" is a temp tree outside the repository,
// so node cannot fall back on the repository's node_modules (dev dependencies included).
// The built image itself runs in tools/image/image.image-spec.ts (CI, buildah).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, REPO_ROOT, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { killStack, grpcHealth, lastLines, startStack, stopStack, uidOf, type Running } from './image/service-harness';
import { APPS, planStack, type Stack } from './image/stack-plan';

/** uid/gid "nobody": a user that owns nothing in the tree, like uid 10001 in the image. */
const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;
/** Switching users needs root; otherwise the services run as this user (and the test name says so). */
const RUN_AS: number | undefined = IS_ROOT ? NOBODY : undefined;
const AS_USER = RUN_AS !== undefined ? `as uid ${NOBODY} (nobody)` : `as the current uid ${process.getuid?.()} (not root: cannot switch to uid ${NOBODY})`;

const NPM_CI_SLOW_MS = 60_000;

function run(command: string, args: string[], cwd: string): { ms: number } {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-60).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message}):\n${output}`);
  }
  return { ms: Date.now() - started };
}

describe(`dist-image: every service built by build:dist runs from production-only dependencies ${AS_USER}`, () => {
  const started = Date.now();
  const timings: Record<string, number> = {};
  let root = '';
  let app = '';
  let nats: NatsServerHandle | undefined;
  let stack: Stack;
  const running: Running[] = [];
  const adminToken = `admin-${randomBytes(18).toString('base64url')}`;
  const service = testServiceCredentials();
  const dump = (): string => running.map((r) => lastLines(r)).join('\n');

  beforeAll(async () => {
    // 1. The one script that produces the image's /app.
    timings.buildDist = run(process.execPath, [join(REPO_ROOT, 'tools/build-dist.mjs')], REPO_ROOT).ms;

    // 2. /app as the Dockerfile makes it: a production install (the `deps` stage), then dist-image/ over it.
    root = mkdtempSync(join(tmpdir(), 'dist-image-'));
    app = join(root, 'app');
    mkdirSync(app);
    cpSync(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(REPO_ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    timings.npmCi = run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], app).ms;
    if (timings.npmCi > NPM_CI_SLOW_MS) console.warn(`dist-image: npm ci --omit=dev took ${(timings.npmCi / 1000).toFixed(1)} s (> 60 s)`);
    rmSync(join(app, 'package-lock.json'));
    cpSync(join(REPO_ROOT, 'dist-image'), app, { recursive: true, force: true });
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    // Readable, not writable, by the service user (files stay root's, as in the image).
    run('chmod', ['-R', 'a+rX,go-w', root], root);
    if (RUN_AS !== undefined) chownSync(dataDir, RUN_AS, RUN_AS);

    // 3. nats-server, then the services stage by stage through the entrypoint.
    nats = await startNatsServer();
    stack = await planStack({ natsUrl: nats.url, adminToken, service, dataDir });
    const boot = Date.now();
    await startStack(
      stack,
      (plan) =>
        // The image's environment: NODE_ENV=production, HOME=/app, nothing inherited from this
        // process (no NODE_PATH, no NODE_OPTIONS), plus what the chart gives the service.
        spawn(process.execPath, ['entrypoint.mjs'], {
          cwd: app,
          env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: app, NODE_ENV: 'production', ...plan.env },
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(RUN_AS !== undefined ? { uid: RUN_AS, gid: RUN_AS } : {}),
        }),
      running,
    );
    timings.startUntilReady = Date.now() - boot;
  }, 150_000);

  afterAll(async () => {
    await killStack(running);
    await nats?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
    timings.total = Date.now() - started;
    console.log(`dist-image timings (ms): ${JSON.stringify(timings)}`);
  }, 30_000);

  it(`each service process runs ${AS_USER} and resolves packages only from the production install`, () => {
    for (const r of running) {
      expect({ app: r.name, uid: uidOf(r.process.pid ?? -1) }).toEqual({ app: r.name, uid: RUN_AS ?? process.getuid?.() });
    }
    // From /app, as the service user: production deps come from the tree's node_modules, a
    // devDependency is not there and the repository's node_modules is unreachable.
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const r = (m) => { try { return require.resolve(m); } catch { return null; } };
         console.log(JSON.stringify({ grpc: r('@grpc/grpc-js'), health: r('grpc-health-check'), shim: r('@ai-gateway/proto'),
           typescript: r('typescript'), jest: r('jest'), paths: module.paths }));`,
      ],
      { cwd: app, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', ...(RUN_AS !== undefined ? { uid: RUN_AS, gid: RUN_AS } : {}) },
    );
    expect(probe.status).toBe(0);
    const resolved = JSON.parse(probe.stdout) as Record<string, string | null | string[]>;
    expect(resolved.grpc).toContain(join(app, 'node_modules', '@grpc/grpc-js'));
    expect(resolved.health).toContain(join(app, 'node_modules', 'grpc-health-check'));
    expect(resolved.shim).toBe(join(app, 'node_modules', '@ai-gateway/proto/index.js'));
    expect(resolved.typescript).toBeNull();
    expect(resolved.jest).toBeNull();
    expect((resolved.paths as string[]).some((p) => p.startsWith(REPO_ROOT))).toBe(false);
  });

  it('the entrypoint refuses an unknown service with exit 64 and names the services it has', () => {
    const result = spawnSync(process.execPath, ['entrypoint.mjs'], { cwd: app, env: { PATH: process.env.PATH ?? '', APP: 'routr' }, encoding: 'utf8' });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('unknown service "routr"');
    for (const name of APPS) expect(result.stderr).toContain(name);
  });

  it('every gRPC service answers grpc.health.v1 Check("") SERVING and ingress /readyz answers 200', async () => {
    for (const r of running.filter((a) => a.grpcPorts.length)) {
      for (const port of r.grpcPorts) {
        expect({ app: r.name, port, status: await grpcHealth(port), log: r.output.slice(-5) }).toMatchObject({ app: r.name, status: 'SERVING' });
      }
    }
    const ready = await fetch(`${stack.ingressUrl}/readyz`);
    const body = await ready.text();
    expect({ status: ready.status, body }).toMatchObject({ status: 200 });
  });

  it('an API key created through the admin API lists GET /v1/models (200) end to end', async () => {
    const created = await fetch(`${stack.ingressUrl}/admin/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'dist-image' }),
    });
    const createdText = await created.text();
    if (created.status !== 201 && created.status !== 200) {
      throw new Error(`POST /admin/v1/api-keys answered ${created.status}: ${createdText}\n${dump()}`);
    }
    const { key } = JSON.parse(createdText) as { key: string };
    expect(typeof key).toBe('string');

    // The new key reaches ingress through NATS (config/key-vault → ingress): allow a moment.
    const models = await expectEventually(
      async () => {
        const response = await fetch(`${stack.ingressUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`GET /v1/models answered ${response.status}: ${text}\n${dump()}`);
        return JSON.parse(text) as { object: string; data: unknown[] };
      },
      10_000,
      100,
    );
    expect(models.object).toBe('list');
    // No provider keys or routes are configured in this stack: the list may be empty, but it came
    // back from ingress → router → config over gRPC, authenticated by the key key-vault issued.
    expect(Array.isArray(models.data)).toBe(true);
  });

  it('ingress serves the dashboard from its own tree (apps/dashboard/public, no DASHBOARD_DIR)', async () => {
    const page = await fetch(`${stack.ingressUrl}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const main = await fetch(`${stack.ingressUrl}/dashboard/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('ingress serves the OpenAPI description from its own tree (apps/ingress/openapi/openapi.json)', async () => {
    const response = await fetch(`${stack.ingressUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(served).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'apps/ingress/openapi/openapi.json'), 'utf8')));
  });

  it('SIGTERM drains every service: each exits with code 0 within 10 s (ingress first)', async () => {
    const results = await stopStack(running);
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length) {
      const logs = running
        .filter((r) => failed.some((f) => f.app === r.name))
        .map((r) => lastLines(r))
        .join('\n');
      throw new Error(`not drained cleanly: ${JSON.stringify(failed)}\n${logs}`);
    }
    expect(results.map((r) => r.app).sort()).toEqual([...APPS].sort());
  });
});
