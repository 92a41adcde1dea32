// Starts every service of the image the way the chart wires them (one process per service,
// stage by stage: control plane and adapters, router, ingress), checks health, stops them with
// SIGTERM in reverse order. Shared by tools/dist-image.integration-spec.ts (the dist tree with the
// host's node) and tools/image/image.image-spec.ts (the built image, read-only, as uid 10001):
// how a service is launched is the caller's; which environment it gets is planned in stack-plan.ts.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { expectEventually } from '@ai-gateway/testing';
import type { AppName, ServicePlan, Stack } from './stack-plan';

export const STOP_WITHIN_MS = 10_000;
const READY_WITHIN_MS = 60_000;

export interface Running {
  name: AppName;
  instance: string;
  readyUrl?: string;
  stage: number;
  process: ChildProcess;
  grpcPorts: number[];
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The promise's value, or undefined after `ms` (the timer is cleared either way: no open handle). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function lastLines(app: Running, count = 30): string {
  return `--- ${app.instance} (pid ${app.process.pid}), last output:\n${app.output.slice(-count).join('\n')}`;
}

/** The effective uid of a process (/proc/<pid>/status). */
export function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  // Uid: real effective saved filesystem
  return Number(line?.split(/\s+/)[2]);
}

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};
const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

/** grpc.health.v1 Check("") of a loopback port: the status name, or `error: ...`. */
export async function grpcHealth(port: number): Promise<string> {
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

/** Starts one service with `launch` and collects its last output lines. */
export function launchService(service: ServicePlan, launch: (service: ServicePlan) => ChildProcess): Running {
  const child = launch(service);
  const app: Running = {
    name: service.name,
    instance: service.instance ?? service.name,
    ...(service.readyUrl ? { readyUrl: service.readyUrl } : {}),
    stage: service.stage,
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
  return app;
}

/** Waits until a started service is healthy: gRPC SERVING on every port, ingress /readyz 200. */
export async function waitHealthy(stack: Stack, app: Running, running: Running[] = [app], withinMs = READY_WITHIN_MS): Promise<void> {
  const dump = (): string => running.map((r) => lastLines(r)).join('\n');
  await expectEventually(
    async () => {
      if (app.process.exitCode !== null || app.process.signalCode !== null) {
        throw new Error(`${app.name} exited (${app.process.exitCode ?? app.process.signalCode}) while starting\n${lastLines(app)}`);
      }
      if (app.name === 'ingress') {
        const response = await fetch(`${app.readyUrl ?? stack.ingressUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch((e: Error) => e);
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
    withinMs,
    200,
  );
}

/**
 * Launches the services stage by stage with `launch` and waits for each stage to be healthy
 * (gRPC SERVING; ingress /readyz 200). Every started service is pushed to `running` at once,
 * so the caller's cleanup sees it even when a later one fails.
 */
export async function startStack(stack: Stack, launch: (service: ServicePlan) => ChildProcess, running: Running[]): Promise<void> {
  for (const stage of [1, 2, 3] as const) {
    for (const service of stack.services.filter((s) => s.stage === stage)) running.push(launchService(service, launch));
    await Promise.all(running.filter((app) => app.stage === stage).map((app) => waitHealthy(stack, app, running)));
  }
}

/** SIGTERM stage by stage (ingress first); each service's exit code and how long it took. */
export async function stopStack(running: Running[]): Promise<{ app: string; code: number | null; signal: string | null; ms: number }[]> {
  const results: { app: string; code: number | null; signal: string | null; ms: number }[] = [];
  for (const stage of [3, 2, 1]) {
    await Promise.all(
      running
        .filter((app) => app.stage === stage)
        .map(async (app) => {
          const signalled = Date.now();
          app.process.kill('SIGTERM');
          const exit = await within(app.exit, STOP_WITHIN_MS);
          results.push({ app: app.name, code: exit?.code ?? null, signal: exit?.signal ?? 'still running', ms: Date.now() - signalled });
        }),
    );
  }
  return results;
}

/** Kills what is still running (afterAll), waiting briefly for each exit. */
export async function killStack(running: Running[]): Promise<void> {
  for (const app of running) if (app.process.exitCode === null && app.process.signalCode === null) app.process.kill('SIGKILL');
  await Promise.all(running.map((app) => within(app.exit, 2_000)));
}
