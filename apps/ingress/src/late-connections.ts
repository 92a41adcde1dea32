import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The client connections a draining ingress opened after it began refusing new requests. A request
 * on such a connection is refused (503 gateway_draining: the client's balancer has not yet dropped
 * this replica); a request on a connection the client held from before is still served, closing
 * the connection after it — refusing it would fail a client that did nothing wrong, and closing
 * its idle connection under it races with the request it may be sending.
 */
export class LateConnections {
  private readonly late = new WeakSet<Socket>();
  private refusing = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      if (this.refusing) this.late.add(socket);
    });
  }

  startRefusing(): void {
    this.refusing = true;
  }

  isLate(socket: Socket): boolean {
    return this.late.has(socket);
  }
}
