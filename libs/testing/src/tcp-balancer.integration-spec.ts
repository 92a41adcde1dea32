import { createServer, type Server } from 'node:http';
import { expectEventually } from './expect-eventually';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer';

interface Backend {
  readonly server: Server;
  readonly port: number;
  ready: boolean;
}

/** A backend answering its own port on `/whoami` and 200/503 on `/readyz` as `ready` says. */
async function startBackend(): Promise<Backend> {
  const backend = { ready: true } as Backend;
  const server = createServer((request, response) => {
    if (request.url === '/readyz') {
      response.writeHead(backend.ready ? 200 : 503).end();
      return;
    }
    response.setHeader('connection', 'close');
    response.end(String(backend.port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(backend, { server, port: (server.address() as { port: number }).port });
  return backend;
}

async function whoAnswers(balancer: TcpBalancer, times: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${balancer.url}/whoami`, { headers: { connection: 'close' } });
    ports.push(Number(await response.text()));
  }
  return ports;
}

describe('TCP balancer (the Service in front of replicas in the scale-out suite)', () => {
  let backends: Backend[];
  let balancer: TcpBalancer | undefined;

  beforeEach(async () => {
    backends = [await startBackend(), await startBackend()];
  });

  afterEach(async () => {
    await balancer?.close();
    balancer = undefined;
    await Promise.all(backends.map((backend) => new Promise((resolve) => backend.server.close(resolve))));
  });

  const addresses = (): Array<{ host: string; port: number }> => backends.map((backend) => ({ host: '127.0.0.1', port: backend.port }));

  it('hands new connections to the backends in turn', async () => {
    balancer = await startTcpBalancer(addresses());
    const ports = await whoAnswers(balancer, 6);
    expect(ports.filter((port) => port === backends[0].port)).toHaveLength(3);
    expect(ports.filter((port) => port === backends[1].port)).toHaveLength(3);
    expect([...balancer.handed.values()]).toEqual([3, 3]);
  });

  it('gives no new connection to a backend whose readiness fails, and takes it back once ready', async () => {
    const started = await startTcpBalancer(addresses(), { readyPath: '/readyz', readyEveryMs: 20 });
    balancer = started;
    backends[1].ready = false;
    await expectEventually(async () => expect(new Set(await whoAnswers(started, 4))).toEqual(new Set([backends[0].port])));
    backends[1].ready = true;
    await expectEventually(async () => expect(await whoAnswers(started, 4)).toContain(backends[1].port));
  });

  it('still connects somewhere when no backend is ready (as endpoints keep the last ones)', async () => {
    balancer = await startTcpBalancer(addresses(), { readyPath: '/readyz', readyEveryMs: 20 });
    for (const backend of backends) backend.ready = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ports = await whoAnswers(balancer, 2);
    expect(ports.every((port) => backends.some((backend) => backend.port === port))).toBe(true);
  });

  it('skips a backend that refuses connections (stopped) for that client', async () => {
    balancer = await startTcpBalancer(addresses());
    await new Promise((resolve) => backends[0].server.close(resolve));
    const ports = await whoAnswers(balancer, 4);
    expect(new Set(ports)).toEqual(new Set([backends[1].port]));
    backends[0].server.listen(0); // so afterEach's close finds a listening server
  });
});
