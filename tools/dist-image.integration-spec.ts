// What the container runs is what this test runs: `npm run build:dist` output, laid out the way
// deploy/Dockerfile lays it out (/app/node_modules from `npm ci --omit=dev`, the root
// package.json, then dist-image/<app>/ copied over it), every service started from there with
// `node apps/<app>/src/main.js` as a non-root user, checked healthy, used end to end, drained.
// No container engine needed: the "image" is a temp tree outside the repository, so node cannot
// fall back on the repository's node_modules (dev dependencies included).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { expectEventually, REPO_ROOT, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';

const APPS = ['config', 'key-vault', 'analytics', 'adapter-openai', 'adapter-anthropic', 'router', 'ingress'] as const;
type AppName = (typeof APPS)[number];

/** uid/gid "nobody": a user that owns nothing in the tree, like uid 10001 in the image. */
const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;
/** Switching users needs root; otherwise the services run as this user (and the test name says so). */
const RUN_AS: number | undefined = IS_ROOT ? NOBODY : undefined;
const AS_USER = RUN_AS !== undefined ? `as uid ${NOBODY} (nobody)` : `as the current uid ${process.getuid?.()} (not root: cannot switch to uid ${NOBODY})`;

const STOP_WITHIN_MS = 10_000;
const NPM_CI_SLOW_MS = 60_000;

interface Running {
  name: AppName;
  stage: number;
  dir: string;
  process: ChildProcess;
  /** The gRPC ports answering grpc.health.v1 (none for ingress). */
  grpcPorts: number[];
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};
const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

function run(command: string, args: string[], cwd: string): { ms: number } {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-60).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message}):\n${output}`);
  }
  return { ms: Date.now() - started };
}

/** `count` distinct free loopback ports (bound to 0 together, read back, released: a small race is tolerated). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The promise's value, or undefined after `ms` (the timer is cleared either way: no open handle). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function lastLines(app: Running, count = 30): string {
  return `--- ${app.name} (pid ${app.process.pid}), last output:\n${app.output.slice(-count).join('\n')}`;
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  // Uid: real effective saved filesystem
  return Number(line?.split(/\s+/)[2]);
}

async function grpcHealth(port: number): Promise<string> {
  const client = new HealthClientConstructor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
  try {
    return await new Promise<string>((resolve) =>
      client.check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) =>
        resolve(error ? `error: ${error.message}` : String(response?.status)),
      ),
    );
  } finally {
    client.close();
  }
}

describe(`dist-image: every service built by build:dist runs from production-only dependencies ${AS_USER}`, () => {
  const started = Date.now();
  const timings: Record<string, number> = {};
  let root = '';
  let dataDir = '';
  let nats: NatsServerHandle | undefined;
  const running: Running[] = [];
  const adminToken = `admin-${randomBytes(18).toString('base64url')}`;
  const service = testServiceCredentials();
  let ingressUrl = '';
  const dump = (): string => running.map((app) => lastLines(app)).join('\n');

  beforeAll(async () => {
    // 1. The one script that produces the image's filesystem.
    timings.buildDist = run(process.execPath, [join(REPO_ROOT, 'tools/build-dist.mjs')], REPO_ROOT).ms;

    // 2. One production install, as the Dockerfile's `deps` stage does, outside the repository.
    root = mkdtempSync(join(tmpdir(), 'dist-image-'));
    const deps = join(root, 'deps');
    mkdirSync(deps);
    cpSync(join(REPO_ROOT, 'package.json'), join(deps, 'package.json'));
    cpSync(join(REPO_ROOT, 'package-lock.json'), join(deps, 'package-lock.json'));
    timings.npmCi = run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], deps).ms;
    if (timings.npmCi > NPM_CI_SLOW_MS) console.warn(`dist-image: npm ci --omit=dev took ${(timings.npmCi / 1000).toFixed(1)} s (> 60 s)`);

    // Per app, the image's /app: node_modules (hard links into the one install, same resolution
    // as real files), the root package.json, then dist-image/<app>/ over it (the app's package.json,
    // its code, libs, proto and node_modules/@ai-gateway shims merged into node_modules).
    const layout = Date.now();
    for (const app of APPS) {
      const dir = join(root, app);
      mkdirSync(dir);
      try {
        run('cp', ['-a', '--link', join(deps, 'node_modules'), join(dir, 'node_modules')], root);
      } catch {
        cpSync(join(deps, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      }
      cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
      cpSync(join(REPO_ROOT, 'dist-image', app), dir, { recursive: true, force: true });
    }
    rmSync(deps, { recursive: true, force: true });
    dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    // Readable, not writable, by the service user (files stay root's, as in the image).
    run('chmod', ['-R', 'a+rX,go-w', root], root);
    if (RUN_AS !== undefined) chownSync(dataDir, RUN_AS, RUN_AS);
    timings.layout = Date.now() - layout;

    // 3. nats-server, then the services stage by stage (dev-stack's order and environment).
    nats = await startNatsServer();
    const [config, kvAdmin, kvResolve, analytics, openai, anthropic, router, ingress, ...metrics] = await freePorts(8 + APPS.length);
    const at = (port: number): string => `127.0.0.1:${port}`;
    const services: { name: AppName; stage: number; grpcPorts: number[]; env: Record<string, string | number> }[] = [
      { name: 'config', stage: 1, grpcPorts: [config], env: { GRPC_PORT: config, NATS_URL: nats.url, SERVICE_CALLERS: service.callers } },
      {
        name: 'key-vault',
        stage: 1,
        grpcPorts: [kvAdmin, kvResolve],
        env: {
          ADMIN_GRPC_PORT: kvAdmin,
          RESOLVE_GRPC_PORT: kvResolve,
          NATS_URL: nats.url,
          SERVICE_CALLERS: service.callers,
          GATEWAY_DATA_DIR: dataDir,
        },
      },
      { name: 'analytics', stage: 1, grpcPorts: [analytics], env: { GRPC_PORT: analytics, NATS_URL: nats.url, SERVICE_CALLERS: service.callers } },
      { name: 'adapter-openai', stage: 1, grpcPorts: [openai], env: { GRPC_PORT: openai, SERVICE_CALLERS: service.callers } },
      { name: 'adapter-anthropic', stage: 1, grpcPorts: [anthropic], env: { GRPC_PORT: anthropic, SERVICE_CALLERS: service.callers } },
      {
        name: 'router',
        stage: 2,
        grpcPorts: [router],
        env: {
          GRPC_PORT: router,
          CONFIG_URL: at(config),
          KEY_VAULT_RESOLVE_URL: at(kvResolve),
          ADAPTER_URLS: `openai=${at(openai)},anthropic=${at(anthropic)}`,
          NATS_URL: nats.url,
          SERVICE_CALLERS: service.callers,
          SERVICE_CREDENTIAL: service.credentials.router,
        },
      },
      {
        name: 'ingress',
        stage: 3,
        grpcPorts: [],
        env: {
          PORT: ingress,
          ADMIN_TOKEN: adminToken,
          SERVICE_CREDENTIAL: service.credentials.ingress,
          ROUTER_URL: at(router),
          CONFIG_URL: at(config),
          KEY_VAULT_ADMIN_URL: at(kvAdmin),
          ANALYTICS_URL: at(analytics),
          NATS_URL: nats.url,
        },
      },
    ];
    ingressUrl = `http://127.0.0.1:${ingress}`;

    const boot = Date.now();
    for (const stage of [1, 2, 3]) {
      const group = services.filter((s) => s.stage === stage);
      for (const service of group) {
        const dir = join(root, service.name);
        // The image's environment: NODE_ENV=production, HOME=/app, nothing inherited from this
        // process (no NODE_PATH, no NODE_OPTIONS), plus what dev-stack gives the service.
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
          HOME: dir,
          NODE_ENV: 'production',
          APP: service.name,
          BIND_HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
          METRICS_PORT: String(metrics[APPS.indexOf(service.name)]),
          ...Object.fromEntries(Object.entries(service.env).map(([k, v]) => [k, String(v)])),
        };
        const child = spawn(process.execPath, [`apps/${service.name}/src/main.js`], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(RUN_AS !== undefined ? { uid: RUN_AS, gid: RUN_AS } : {}),
        });
        const app: Running = {
          name: service.name,
          stage: service.stage,
          dir,
          process: child,
          grpcPorts: service.grpcPorts,
          output: [],
          exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
        };
        const collect = (stream: string) => (data: Buffer) => {
          for (const line of data.toString().split('\n')) if (line.trim()) app.output.push(`[${stream}] ${line}`);
          if (app.output.length > 200) app.output.splice(0, app.output.length - 200);
        };
        child.stdout?.on('data', collect('stdout'));
        child.stderr?.on('data', collect('stderr'));
        child.once('error', (error) => app.output.push(`[spawn] ${error.message}`));
        running.push(app);
      }
      await Promise.all(
        running
          .filter((app) => app.stage === stage)
          .map((app) =>
            expectEventually(
              async () => {
                if (app.process.exitCode !== null || app.process.signalCode !== null) {
                  throw new Error(`${app.name} exited (${app.process.exitCode ?? app.process.signalCode}) while starting\n${lastLines(app)}`);
                }
                if (app.name === 'ingress') {
                  const response = await fetch(`${ingressUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch((e: Error) => e);
                  if (response instanceof Error || response.status !== 200) {
                    throw new Error(`ingress /readyz: ${response instanceof Error ? response.message : response.status}\n${dump()}`);
                  }
                  return;
                }
                for (const port of app.grpcPorts) {
                  const status = await grpcHealth(port);
                  if (status !== 'SERVING') throw new Error(`${app.name} :${port} health ${status}\n${lastLines(app)}`);
                }
              },
              30_000,
              200,
            ),
          ),
      );
    }
    timings.startUntilReady = Date.now() - boot;
  }, 150_000);

  afterAll(async () => {
    for (const app of running) if (app.process.exitCode === null && app.process.signalCode === null) app.process.kill('SIGKILL');
    await Promise.all(running.map((app) => within(app.exit, 2_000)));
    await nats?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
    timings.total = Date.now() - started;
    console.log(`dist-image timings (ms): ${JSON.stringify(timings)}`);
  }, 30_000);

  it(`each service process runs ${AS_USER} and resolves packages only from the production install`, () => {
    for (const app of running) {
      expect({ app: app.name, uid: uidOf(app.process.pid ?? -1) }).toEqual({ app: app.name, uid: RUN_AS ?? process.getuid?.() });
    }
    // From an app's directory, as the service user: production deps come from the tree's
    // node_modules, a devDependency is not there and the repository's node_modules is unreachable.
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const r = (m) => { try { return require.resolve(m); } catch { return null; } };
         console.log(JSON.stringify({ grpc: r('@grpc/grpc-js'), health: r('grpc-health-check'), shim: r('@ai-gateway/proto'),
           typescript: r('typescript'), jest: r('jest'), paths: module.paths }));`,
      ],
      { cwd: join(root, 'router'), env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', ...(RUN_AS !== undefined ? { uid: RUN_AS, gid: RUN_AS } : {}) },
    );
    expect(probe.status).toBe(0);
    const resolved = JSON.parse(probe.stdout) as Record<string, string | null | string[]>;
    expect(resolved.grpc).toContain(join(root, 'router', 'node_modules', '@grpc/grpc-js'));
    expect(resolved.health).toContain(join(root, 'router', 'node_modules', 'grpc-health-check'));
    expect(resolved.shim).toBe(join(root, 'router', 'node_modules', '@ai-gateway/proto/index.js'));
    expect(resolved.typescript).toBeNull();
    expect(resolved.jest).toBeNull();
    expect((resolved.paths as string[]).some((p) => p.startsWith(REPO_ROOT))).toBe(false);
  });

  it('every gRPC service answers grpc.health.v1 Check("") SERVING and ingress /readyz answers 200', async () => {
    for (const app of running.filter((a) => a.grpcPorts.length)) {
      for (const port of app.grpcPorts) {
        expect({ app: app.name, port, status: await grpcHealth(port), log: app.output.slice(-5) }).toMatchObject({ app: app.name, status: 'SERVING' });
      }
    }
    const ready = await fetch(`${ingressUrl}/readyz`);
    const body = await ready.text();
    expect({ status: ready.status, body }).toMatchObject({ status: 200 });
  });

  it('an API key created through the admin API lists GET /v1/models (200) end to end', async () => {
    const created = await fetch(`${ingressUrl}/admin/v1/api-keys`, {
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
        const response = await fetch(`${ingressUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
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
    const page = await fetch(`${ingressUrl}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const main = await fetch(`${ingressUrl}/dashboard/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('ingress serves the OpenAPI description from its own tree (apps/ingress/openapi/openapi.json)', async () => {
    const response = await fetch(`${ingressUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(served).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'apps/ingress/openapi/openapi.json'), 'utf8')));
  });

  it(`SIGTERM drains every service: each exits with code 0 within ${STOP_WITHIN_MS / 1000} s (ingress first)`, async () => {
    const results: { app: string; code: number | null; signal: string | null; ms: number }[] = [];
    for (const stage of [3, 2, 1]) {
      const group = running.filter((app) => app.stage === stage);
      await Promise.all(
        group.map(async (app) => {
          const signalled = Date.now();
          app.process.kill('SIGTERM');
          const exit = await within(app.exit, STOP_WITHIN_MS);
          results.push({ app: app.name, code: exit?.code ?? null, signal: exit?.signal ?? 'still running', ms: Date.now() - signalled });
        }),
      );
    }
    const failed = results.filter((r) => r.code !== 0 || r.ms > STOP_WITHIN_MS);
    if (failed.length) {
      const logs = running
        .filter((app) => failed.some((f) => f.app === app.name))
        .map((app) => lastLines(app))
        .join('\n');
      throw new Error(`not drained cleanly: ${JSON.stringify(failed)}\n${logs}`);
    }
    expect(results.map((r) => r.app).sort()).toEqual([...APPS].sort());
  });

});
