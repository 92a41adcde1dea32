// The gateway under test, started the way `npm start` (tools/dev-stack.mjs) starts it — the same
// service list, environment and readiness checks from tools/dev-stack/ — but on free ports, in a
// temporary GATEWAY_DATA_DIR and at LOG_LEVEL=warn, so it never collides with a running
// `npm start`. The openai provider points at the fake upstream (OPENAI_BASE_URL at first start);
// a provider key and a gateway API key are added through the admin API.
//
// Or, with --gateway-url (and ADMIN_TOKEN), a running gateway: a provider `bench-upstream` of
// kind openai is added for the fake upstream and disabled again at the end (with its keys).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { answers200, canConnect } from '../tools/dev-stack/child.mjs';
import { findOrInstallNats, freePort } from '../tools/dev-stack/nats.mjs';
import { readOrCreateSecret, readOrCreateServiceCredentials } from '../tools/dev-stack/secrets.mjs';
import { PORTS, serviceEnv, services } from '../tools/dev-stack/services.mjs';
import { BenchChild, sleep } from './lib/procs.mjs';

const root = resolve(import.meta.dirname, '..');
const PROFILED = ['ingress', 'router', 'adapter-openai'];

async function admin(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Free ports for every fixed development port, so cross-references can be rewritten. */
async function portMap() {
  const map = new Map();
  for (const port of Object.values(PORTS)) map.set(port, await freePort(0));
  return map;
}

/** The bench's gateway targets: adapters embedded in the router (the default), or adapter services. */
export const GATEWAY_MODES = { gateway: 'embedded', 'gateway-service': 'service' };

/**
 * @param {{upstreamBase: string, profileDir?: string, adapterMode?: 'embedded' | 'service', inspect?: boolean}} options  upstreamBase ends in /v1;
 *   inspect: the hot-path services listen for the inspector on a free port (profiles of a chosen window, bench/lib/inspector-profile.mjs)
 * @returns the target: {name, url, headers, model, processes(), close()}
 */
export async function startGatewayStack({ upstreamBase, profileDir, adapterMode = 'embedded', inspect = false }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const adminToken = readOrCreateSecret(dataDir, 'admin-token');
  const serviceCredentials = readOrCreateServiceCredentials(dataDir);
  const ingressPort = await freePort(0);
  const ports = await portMap();
  const adapterServices = adapterMode === 'service' ? ['openai', 'anthropic'] : [];
  const list = services({ natsUrl: '', dataDir, adminToken, serviceCredentials, ingressPort, analyticsMetricsPort: 0, adapterServices });
  for (const service of list) {
    for (const [name, value] of Object.entries(service.env)) {
      if (typeof value === 'number' && ports.has(value)) service.env[name] = ports.get(value);
      else if (typeof value === 'string') service.env[name] = value.replace(/127\.0\.0\.1:(\d+)/g, (m, p) => `127.0.0.1:${ports.get(Number(p)) ?? p}`);
    }
    if (ports.has(service.port)) service.port = ports.get(service.port);
    service.env.METRICS_PORT = 0; // 0 = any free port (common-env)
  }

  const children = [];
  const width = Math.max(4, ...list.map((s) => s.name.length));
  const common = { LOG_LEVEL: 'warn', GATEWAY_DATA_DIR: dataDir, OPENAI_BASE_URL: upstreamBase, KMS_PROVIDER: 'local' };
  const close = async () => {
    // The bench's stopAll() stops the processes; this only removes the temporary data.
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const natsPort = await freePort(0);
    mkdirSync(join(dataDir, 'nats'), { recursive: true });
    const nats = new BenchChild({
      name: 'nats', command: findOrInstallNats(root), args: ['-js', '-sd', join(dataDir, 'nats'), '-a', '127.0.0.1', '-p', String(natsPort)],
      env: process.env, cwd: root, width, stage: 10, echo: false, isReadyLine: (line) => line.includes('Server is ready'),
    });
    children.push(nats);
    await nats.waitReady(async () => nats.readyLogged && (await canConnect(natsPort)), 15_000);
    const natsUrl = `nats://127.0.0.1:${natsPort}`;

    for (const stage of [...new Set(list.map((s) => s.stage))].sort()) {
      const group = list.filter((s) => s.stage === stage);
      await Promise.all(
        group.map((service) => {
          if ('NATS_URL' in service.env) service.env.NATS_URL = natsUrl;
          const env = { ...serviceEnv(service), ...common };
          delete env.NATS_URL;
          if ('NATS_URL' in service.env) env.NATS_URL = natsUrl;
          const args = [join(root, 'dist/apps', service.name, 'src/main.js')];
          if (profileDir && PROFILED.includes(service.name)) args.unshift('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${service.name}.cpuprofile`);
          if (inspect && PROFILED.includes(service.name)) args.unshift('--inspect=127.0.0.1:0');
          const child = new BenchChild({ name: service.name, command: process.execPath, args, env, cwd: root, width, stage: 10 + stage });
          children.push(child);
          const check = service.name === 'ingress' ? () => answers200(`http://127.0.0.1:${ingressPort}/readyz`) : () => canConnect(service.port);
          return child.waitReady(check, service.name === 'ingress' ? 45_000 : 30_000);
        }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }

  const base = `http://127.0.0.1:${ingressPort}`;
  await admin(base, adminToken, 'POST', '/admin/v1/provider-keys', { provider: 'openai', key: 'sk-bench-provider-key-0000', name: 'bench' });
  const { key } = await admin(base, adminToken, 'POST', '/admin/v1/api-keys', { name: 'bench' });
  const target =
    adapterMode === 'service'
      ? { name: 'gateway-service', label: 'AI Gateway, adapter service mode (ingress → router → adapter-openai)', url: base, model: 'gpt-4o', headers: { authorization: `Bearer ${key}` } }
      : { name: 'gateway', label: 'AI Gateway, adapters embedded (ingress → router)', url: base, model: 'gpt-4o', headers: { authorization: `Bearer ${key}` } };
  await waitServing(target);
  return {
    ...target,
    grpc: { router: `127.0.0.1:${ports.get(PORTS.router)}`, adapterOpenai: `127.0.0.1:${ports.get(PORTS.adapterOpenai)}` },
    // hops.mjs calls the router as ingress and the adapter as the router would.
    serviceCredentials,
    adminToken,
    processes: () => children.filter((c) => c.alive).map((c) => ({ name: c.name, pid: c.process.pid })),
    /** Inspector WebSocket URLs of the hot-path services started with `inspect`. */
    inspectors: () => children.filter((c) => c.alive && c.inspectorUrl).map((c) => ({ name: c.name, url: c.inspectorUrl })),
    close,
  };
}

/** A running gateway (its processes are not ours: no memory figures). */
export async function useRunningGateway({ url, adminToken, upstreamBase }) {
  const base = url.replace(/\/$/, '');
  const id = 'bench-upstream';
  // The bench's own provider: a later run may point it at another upstream port (a new origin), which config refuses unconfirmed.
  await admin(base, adminToken, 'PUT', `/admin/v1/providers/${id}`, { kind: 'openai', baseUrl: upstreamBase, enabled: true, models: ['gpt-4o'], confirmKeyRedirect: true });
  const providerKey = await admin(base, adminToken, 'POST', '/admin/v1/provider-keys', { provider: id, key: 'sk-bench-provider-key-0000', name: 'bench' });
  const apiKey = await admin(base, adminToken, 'POST', '/admin/v1/api-keys', { name: 'bench' });
  const target = { name: 'gateway', label: `AI Gateway at ${base} (running)`, url: base, model: `${id}/gpt-4o`, headers: { authorization: `Bearer ${apiKey.key}` } };
  await waitServing(target);
  return {
    ...target,
    processes: () => [],
    close: async () => {
      await admin(base, adminToken, 'DELETE', `/admin/v1/api-keys/${apiKey.id}`).catch(() => undefined);
      await admin(base, adminToken, 'DELETE', `/admin/v1/provider-keys/${providerKey.id}`).catch(() => undefined);
      await admin(base, adminToken, 'PUT', `/admin/v1/providers/${id}`, { enabled: false }).catch(() => undefined);
    },
  };
}

/** Waits until a completion goes through (config and keys propagate asynchronously). */
async function waitServing(target) {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: target.model, messages: [{ role: 'user', content: 'ping' }] }),
    }).catch((e) => ({ status: 0, text: async () => e.message }));
    if (response.status === 200) return void (await response.text());
    last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    await sleep(200);
  }
  throw new Error(`the gateway does not serve completions from the fake upstream: ${last}`);
}
