// `npm start`: builds, then runs the whole stack in the foreground — nats-server with JetStream
// (unless NATS_URL is set), config, key-vault, analytics, the adapters, router, ingress — each as
// `node dist/apps/<app>/src/main.js`, output prefixed with its name. Prints the URLs and the
// development credentials once ingress answers /readyz. Ctrl-C or SIGTERM stops everything
// (ingress first, nats last) within 10 s. Once the stack is ready, a child that exits on its own
// is logged and restarted with backoff (dev-stack/supervisor.mjs), as Kubernetes would restart
// it; a child that exits before the stack was ready stops everything, exit 1.
//
// The provider adapters run inside the router (embedded mode). ADAPTER_SERVICES=openai,anthropic
// runs the named kinds as their own adapter services instead (service mode), as the chart's
// `adapters.<kind>.mode: service` does.
//
// DEV_STACK_ONLY=config,key-vault,... (development of the stack itself) starts only the named
// services (nats too unless NATS_URL is set); without it every service must have been built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { answers200, canConnect, Child, sleep } from './dev-stack/child.mjs';
import { Supervised } from './dev-stack/supervisor.mjs';
import { findOrInstallNats, freePort } from './dev-stack/nats.mjs';
import { ensureDevApiKey, readOrCreateSecret, readOrCreateServiceCredentials } from './dev-stack/secrets.mjs';
import { serviceEnv, services } from './dev-stack/services.mjs';

const launched = Date.now();
const root = resolve(import.meta.dirname, '..');
const STOP_GRACE_MS = 8_000;
const READY_TIMEOUT_MS = { nats: 15_000, service: 30_000, ingress: 45_000 };
const QUIET_LEVELS = ['warn', 'error', 'fatal', 'silent']; // "ready" is logged at info
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (message) => console.log(`dev-stack: ${message}`);

/** Supervised children in start order; stopped in reverse. */
const children = [];
let stopping = false;

async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason) console.error(`dev-stack: ${reason}`);
  say(`stopping ${children.filter((c) => c.alive).length} processes`);
  const deadline = Date.now() + STOP_GRACE_MS;
  const stages = [...new Set(children.map((c) => c.stage))].sort((a, b) => b - a);
  for (const stage of stages) {
    const group = children.filter((c) => c.stage === stage && c.alive);
    for (const child of group) child.signal('SIGTERM');
    await Promise.race([Promise.all(group.map((c) => c.exited)), sleep(Math.max(0, deadline - Date.now()))]);
  }
  const left = children.filter((c) => c.alive);
  if (left.length) {
    console.error(`dev-stack: ${left.map((c) => c.name).join(', ')} still running after ${seconds(STOP_GRACE_MS)}; killing`);
    for (const child of left) child.signal('SIGKILL');
    await Promise.race([Promise.all(left.map((c) => c.exited)), sleep(1000)]);
  }
  say('stopped');
  process.exit(code);
}

function onSignal(signal) {
  if (!stopping) return void shutdown(0);
  console.error(`dev-stack: ${signal} again, killing everything now`);
  for (const child of children) child.signal('SIGKILL');
  process.exit(1);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `npm start` stopped by a signal to npm alone (a process manager, `kill <npm's pid>`; Ctrl-C signals
// the whole process group): npm exits without passing it on and this script is orphaned. It stops
// with the process that started it.
const startedBy = process.ppid;
setInterval(() => process.ppid !== startedBy && void shutdown(0, 'the process that started dev-stack is gone'), 1_000).unref();
// Last resort (crash of this script): no child may outlive it.
process.on('exit', () => children.forEach((c) => c.alive && c.process.kill('SIGKILL')));

/** `isReady`: how a restarted child is seen ready again (logged, not awaited). */
function start(name, stage, command, args, env, { isReady, ...options } = {}) {
  if (stopping) throw new Error(`not starting ${name}: stopping`);
  const child = new Supervised({
    name,
    stage,
    spawn: () => new Child({ name, command, args, env, cwd: root, width, ...options }),
    log: (message) => console.error(`dev-stack: ${message}`),
    onRestarted: (restarted) => {
      say(`${name} restarted (pid ${restarted.process.pid})`);
      if (isReady) restarted.waitReady(isReady, READY_TIMEOUT_MS.ingress).then(() => say(`${name} is ready again`), () => undefined);
    },
    onUnsupervisedExit: (exited) => {
      if (!stopping) void shutdown(1, `${name} ${exited.describeExit()} before the stack was ready. Last lines:\n${exited.lastLines()}`);
    },
  });
  children.push(child);
  return child;
}

// --- build -------------------------------------------------------------------------------------
const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('dev-stack: the build failed, nothing started');
  process.exit(1);
}
const built = Date.now();

// --- configuration -----------------------------------------------------------------------------
const dataDir = resolve(process.env.GATEWAY_DATA_DIR || '.data');
mkdirSync(dataDir, { recursive: true });
const adminToken = process.env.ADMIN_TOKEN || readOrCreateSecret(dataDir, 'admin-token');
const serviceCredentials = readOrCreateServiceCredentials(dataDir);
const ingressPort = Number(process.env.PORT || 8080);
const analyticsMetricsPort = Number(process.env.METRICS_PORT || 9464);
const quietLogs = QUIET_LEVELS.includes(process.env.LOG_LEVEL ?? '');
let natsUrl = process.env.NATS_URL;

const adapterServices = (process.env.ADAPTER_SERVICES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
let selected = services({ natsUrl: '', dataDir, adminToken, serviceCredentials, ingressPort, analyticsMetricsPort, adapterServices });
const only = process.env.DEV_STACK_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
if (only) {
  const unknown = only.filter((name) => !selected.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`dev-stack: DEV_STACK_ONLY names unknown services: ${unknown.join(', ')}`);
    process.exit(1);
  }
  selected = selected.filter((s) => only.includes(s.name));
}
const mainOf = (name) => join(root, 'dist/apps', name, 'src/main.js');
const unbuilt = selected.filter((s) => !existsSync(mainOf(s.name))).map((s) => s.name);
if (unbuilt.length) {
  console.error(`dev-stack: not built: ${unbuilt.map((n) => `dist/apps/${n}/src/main.js`).join(', ')} (is apps/<app>/src/main.ts there?)`);
  process.exit(1);
}
const width = Math.max(4, ...selected.map((s) => s.name.length));

// --- nats --------------------------------------------------------------------------------------
try {
  if (!natsUrl) {
    const bin = findOrInstallNats(root);
    const port = await freePort(4222);
    if (port !== 4222) say(`port 4222 is taken; nats-server listens on ${port} instead`);
    mkdirSync(join(dataDir, 'nats'), { recursive: true });
    natsUrl = `nats://127.0.0.1:${port}`;
    let nats;
    const natsReady = async () => nats.readyLogged && (await canConnect(port));
    nats = start('nats', 0, bin, ['-js', '-sd', join(dataDir, 'nats'), '-a', '127.0.0.1', '-p', String(port)], process.env, {
      isReadyLine: (line) => line.includes('Server is ready'),
      isReady: natsReady,
    });
    await nats.waitReady(natsReady, READY_TIMEOUT_MS.nats);
  }

  // --- services, stage by stage ----------------------------------------------------------------
  for (const stage of [...new Set(selected.map((s) => s.stage))].sort()) {
    const group = selected.filter((s) => s.stage === stage);
    const started = group.map((service) => {
      if ('NATS_URL' in service.env) service.env.NATS_URL = natsUrl;
      let child;
      const check =
        service.name === 'ingress'
          ? () => answers200(`http://127.0.0.1:${ingressPort}/readyz`)
          : async () => child.readyLogged || (quietLogs && (await canConnect(service.port)));
      child = start(service.name, stage, process.execPath, [mainOf(service.name)], serviceEnv(service), { isReady: check });
      return child.waitReady(check, READY_TIMEOUT_MS[service.name === 'ingress' ? 'ingress' : 'service']);
    });
    await Promise.all(started);
    if (stopping) break;
  }
} catch (error) {
  await shutdown(1, error instanceof Error ? error.message : String(error));
}

// --- ready ---------------------------------------------------------------------------------------
if (!stopping) {
  // From here on a child that exits is restarted rather than stopping the stack.
  for (const child of children) child.supervise();
  const base = `http://127.0.0.1:${ingressPort}`;
  let devKey = '(not created: ingress is not running)';
  if (selected.some((s) => s.name === 'ingress')) {
    try {
      const { key, created } = await ensureDevApiKey({ dataDir, baseUrl: base, adminToken });
      devKey = `${key}${created ? `   (new, stored in ${join(dataDir, 'dev-api-key')})` : ''}`;
    } catch (error) {
      devKey = `(could not be created: ${error instanceof Error ? error.message : error})`;
    }
  }
  const ready = Date.now();
  console.log(
    [
      '',
      `dev-stack: ready in ${seconds(ready - launched)} (build ${seconds(built - launched)}, start ${seconds(ready - built)})`,
      `  API          ${base}/v1`,
      `  admin API    ${base}/admin/v1`,
      `  dashboard    ${base}/dashboard/   (sign in with the admin token)`,
      `  metrics      http://127.0.0.1:${analyticsMetricsPort}/metrics`,
      `  NATS         ${natsUrl}`,
      `  data         ${dataDir}`,
      `  admin token  ${adminToken}${process.env.ADMIN_TOKEN ? '   (from ADMIN_TOKEN)' : ''}`,
      `  dev API key  ${devKey}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
