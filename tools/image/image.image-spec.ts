// The built image (tools/image/build.sh, deploy/Dockerfile), run as the chart runs it: every
// service started from the image's own entrypoint, environment, working directory and user
// (10001), the service chosen by APP, on a read-only root filesystem with /tmp (and key-vault's
// /data) as the only writable paths; each reaches health, a chat completion passes ingress →
// router → a fake OpenAI provider, SIGTERM drains each.
// No container daemon exists here (and `podman run` does not work): the image is instantiated
// with `buildah from`, its root filesystem mounted with `buildah mount`, and each service started
// by tools/image/run-rootfs.sh (private mount namespace, read-only bind of the root, chroot as
// the image's user). Loopback is shared with the host, like `buildah run --isolation chroot`.
// Needs root and buildah: `npm run test:image` (CI: tools/image/ci.sh, after building the image).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startFakeOpenAi, startNatsServer, expectEventually, testServiceCredentials, type FakeOpenAi, type NatsServerHandle } from '@ai-gateway/testing';
import { grpcHealth, killStack, lastLines, startStack, stopStack, uidOf, type Running } from './service-harness';
import { APPS, planStack, type Stack } from './stack-plan';

const IMAGE = process.env.IMAGE ?? 'localhost/ai-gateway:dev';
const STORAGE = ['--storage-driver', process.env.BUILDAH_STORAGE_DRIVER ?? 'vfs'];
const RUN_ROOTFS = join(REPO_ROOT, 'tools/image/run-rootfs.sh');
/** key-vault's GATEWAY_DATA_DIR in the chart: a volume, writable by the service user. */
const DATA_DIR = '/data';
const PROVIDER_KEY = `sk-proj-image${randomBytes(12).toString('hex')}`;

interface ImageConfig {
  User?: string;
  Env?: string[];
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[];
}

function buildah(...args: string[]): string {
  const result = spawnSync('buildah', [...STORAGE, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`buildah ${args.join(' ')} failed (${result.error?.message ?? result.status}): ${result.stderr}`);
  }
  return result.stdout.trim();
}

describe(`image ${IMAGE}: every service from the one image, read-only root filesystem, as the image's user`, () => {
  let container = '';
  let rootfs = '';
  let config: ImageConfig = {};
  let nats: NatsServerHandle | undefined;
  let upstream: FakeOpenAi | undefined;
  let stack: Stack;
  const running: Running[] = [];
  const adminToken = `admin-${randomBytes(18).toString('base64url')}`;
  const service = testServiceCredentials();
  const dump = (): string => running.map((r) => lastLines(r)).join('\n');

  /** run-rootfs.sh with the image's working directory; `user` defaults to the image's. */
  const inImage = (env: string[], command: string[], options: { user?: string; writable?: string[] } = {}): string[] => [
    rootfs,
    options.user ?? config.User ?? '',
    config.WorkingDir ?? '/',
    ...(options.writable ?? []).flatMap((dir) => ['--writable', dir]),
    ...env,
    '--',
    ...command,
  ];

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the image test needs root (mount namespaces, chroot): run it in CI or with sudo');
    if (spawnSync('buildah', ['--version']).status !== 0) throw new Error('buildah is not installed (apt-get install buildah)');
    const inspected = JSON.parse(buildah('inspect', '--type', 'image', IMAGE)) as { OCIv1: { config: ImageConfig } };
    config = inspected.OCIv1.config;
    container = buildah('from', '--pull=never', IMAGE);
    rootfs = buildah('mount', container);

    nats = await startNatsServer();
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await planStack({ natsUrl: nats.url, adminToken, service, dataDir: DATA_DIR, openaiBaseUrl: upstream.baseUrl });
    await startStack(
      stack,
      (plan): ChildProcess =>
        spawn(
          RUN_ROOTFS,
          inImage(
            [...(config.Env ?? []), ...Object.entries(plan.env).map(([key, value]) => `${key}=${value}`)],
            [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])],
            { writable: plan.name === 'key-vault' ? [DATA_DIR] : [] },
          ),
          { stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      running,
    );
  }, 180_000);

  afterAll(async () => {
    await killStack(running);
    await upstream?.close();
    await nats?.dispose();
    if (container) spawnSync('buildah', [...STORAGE, 'rm', container]);
  }, 30_000);

  it('the image runs as uid 10001 from its own entrypoint, with no npm and no devDependencies', () => {
    expect(config).toMatchObject({ User: '10001:10001', WorkingDir: '/app', Entrypoint: ['node', '/app/entrypoint.mjs'] });
    expect(config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production']));
    expect(existsSync(join(rootfs, 'usr/local/bin/node'))).toBe(true);
    for (const absent of ['usr/local/bin/npm', 'usr/local/lib/node_modules/npm', 'root/.npm', 'app/node_modules/typescript', 'app/node_modules/jest', 'app/node_modules/@types/jest']) {
      expect({ path: absent, exists: existsSync(join(rootfs, absent)) }).toEqual({ path: absent, exists: false });
    }
    for (const app of APPS) expect(existsSync(join(rootfs, 'app/apps', app, 'src/main.js'))).toBe(true);
  });

  it('every service process runs as uid 10001', () => {
    expect(running.map((r) => ({ app: r.name, uid: uidOf(r.process.pid ?? -1) }))).toEqual(APPS.map(() => expect.objectContaining({ uid: 10001 })));
  });

  it('the root filesystem is read-only, even for root; /tmp is writable', () => {
    const write = spawnSync(RUN_ROOTFS, inImage([], ['/bin/sh', '-c', 'touch /app/probe; echo "app=$?"; touch /tmp/probe; echo "tmp=$?"'], { user: '0:0' }), {
      encoding: 'utf8',
    });
    expect({ stdout: write.stdout.trim().split('\n'), readOnly: write.stderr.includes('Read-only file system') }).toEqual({
      stdout: ['app=1', 'tmp=0'],
      readOnly: true,
    });
  });

  it('the entrypoint refuses an unknown APP with exit 64', () => {
    const result = spawnSync(RUN_ROOTFS, inImage([...(config.Env ?? []), 'APP=routr'], [...(config.Entrypoint ?? [])]), { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 64, stderr: expect.stringContaining('unknown service "routr"') });
  });

  it('every gRPC service answers grpc.health.v1 SERVING and ingress /healthz and /readyz answer 200', async () => {
    for (const r of running.filter((a) => a.grpcPorts.length)) {
      for (const port of r.grpcPorts) expect({ app: r.name, status: await grpcHealth(port) }).toEqual({ app: r.name, status: 'SERVING' });
    }
    for (const path of ['/healthz', '/readyz']) expect({ path, status: (await fetch(`${stack.ingressUrl}${path}`)).status }).toEqual({ path, status: 200 });
  });

  it('a chat completion passes ingress → router → the fake OpenAI provider with the sealed provider key', async () => {
    const admin = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${stack.ingressUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}\n${dump()}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const { key } = (await admin('POST', '/admin/v1/api-keys', { name: 'image' })) as { key: string };
    await admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY, name: 'image' });

    // The gateway key and the provider key reach ingress and router through their watch streams.
    const answer = await expectEventually(
      async () => {
        const response = await fetch(`${stack.ingressUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello from the image test' }] }),
        });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`POST /v1/chat/completions answered ${response.status}: ${text}\n${dump()}`);
        return { headers: response.headers, body: JSON.parse(text) as { choices: { message: { content: string } }[] } };
      },
      15_000,
      200,
    );
    expect(answer.headers.get('x-gateway-provider')).toBe('openai');
    expect(answer.body.choices[0].message.content).toBe('Hello from the fake provider.');
    const upstreamCall = upstream?.requests.find((r) => r.path.endsWith('/chat/completions'));
    expect(upstreamCall?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it('SIGTERM drains every service: each exits with code 0 within 10 s (ingress first)', async () => {
    const results = await stopStack(running);
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length) throw new Error(`not drained cleanly: ${JSON.stringify(failed)}\n${dump()}`);
    expect(results.map((r) => r.app).sort()).toEqual([...APPS].sort());
  });
});
