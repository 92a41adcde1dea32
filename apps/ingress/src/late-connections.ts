import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The client connections of a draining ingress. A request on a connection opened after the ingress
 * began refusing is refused (503 gateway_draining: the client's balancer has not yet dropped this
 * replica); a request on a connection the client held from before is still served, closing the
 * connection after it — refusing it would fail a client that did nothing wrong. And the drain waits
 * for clients to close their idle connections themselves (every answer while draining says
 * `Connection: close`; an idle one closes at the client's keep-alive timeout, 4 s for Node's and
 * the OpenAI SDK's HTTP clients): a server closing an idle connection races with the request the
 * client may be sending on it at that moment.
 */
export class LateConnections {
  private readonly late = new WeakSet<Socket>();
  private readonly early = new Set<Socket>();
  private refusing = false;
  private waiters: Array<() => void> = [];

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      if (this.refusing) {
        this.late.add(socket);
        return;
      }
      this.early.add(socket);
      socket.once('close', () => {
        this.early.delete(socket);
        if (this.early.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
      });
    });
  }

  startRefusing(): void {
    this.refusing = true;
  }

  isLate(socket: Socket): boolean {
    return this.late.has(socket);
  }

  /** Resolves once every connection held from before refusing is closed, or after `withinMs`. */
  whenClientsLeft(withinMs: number): Promise<void> {
    if (this.early.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, withinMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
