import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpBalancer {
  /** http://127.0.0.1:<port>: where clients connect. */
  readonly url: string;
  /** Connections handed to each backend so far. */
  readonly handed: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export interface TcpBalancerOptions {
  /**
   * An HTTP path each backend answers 200 on while it takes traffic (/readyz): checked every
   * `readyEveryMs`, and a backend that fails it gets no new connection (as a Service's endpoints
   * drop a pod whose readiness fails), unless no backend is ready.
   */
  readyPath?: string;
  readyEveryMs?: number;
}

/**
 * What a Kubernetes Service does in front of replicas, for tests: each new client connection goes to
 * the next ready backend (round robin) that accepts it; a backend that refuses (stopped, killed) is
 * skipped for that connection. Connections already open stay with their backend and break with it.
 */
export async function startTcpBalancer(backends: ReadonlyArray<{ host: string; port: number }>, options: TcpBalancerOptions = {}): Promise<TcpBalancer> {
  let next = 0;
  const unready = new Set<number>();
  const probe = async (): Promise<void> => {
    await Promise.all(
      backends.map(async (backend, index) => {
        const ok = await fetch(`http://${backend.host}:${backend.port}${options.readyPath}`, { signal: AbortSignal.timeout(1_000) })
          .then((response) => response.status === 200)
          .catch(() => false);
        if (ok) unready.delete(index);
        else unready.add(index);
      }),
    );
  };
  const prober = options.readyPath ? setInterval(() => void probe(), options.readyEveryMs ?? 100) : undefined;
  if (options.readyPath) await probe();
  /** The next backend in turn, ready ones first. */
  const pick = (): { host: string; port: number } => {
    for (let tried = 0; tried < backends.length; tried++) {
      const index = next++ % backends.length;
      if (!unready.has(index)) return backends[index];
    }
    return backends[next++ % backends.length];
  };
  const handed = new Map<string, number>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.pause();
    const tryBackend = (left: number): void => {
      if (left === 0 || client.destroyed) {
        client.destroy();
        return;
      }
      const backend = pick();
      const upstream = connect(backend.port, backend.host);
      track(upstream);
      let connected = false;
      upstream.once('error', () => {
        // Refused before connecting: the next backend takes this client; after: the client's connection breaks with it.
        if (connected) client.destroy();
        else tryBackend(left - 1);
      });
      upstream.once('connect', () => {
        connected = true;
        const name = `${backend.host}:${backend.port}`;
        handed.set(name, (handed.get(name) ?? 0) + 1);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(backends.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    handed,
    close: async () => {
      clearInterval(prober);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
