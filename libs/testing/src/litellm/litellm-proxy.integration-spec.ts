import { createServer, type Server, type Socket } from 'node:net';
import { quietPort } from '../quiet-port';
import { startLiteLlmProxy, type LiteLlmProxy } from './litellm-proxy';

const STARTUP_MS = 240_000;

describe('startLiteLlmProxy', () => {
  let squatter: Server;
  const squattersConnections: Socket[] = [];
  let proxy: LiteLlmProxy | undefined;

  afterAll(async () => {
    await proxy?.close();
    squattersConnections.forEach((socket) => socket.destroy());
    await new Promise((resolve) => squatter?.close(resolve));
  });

  // The proxy binds seconds after its port is chosen; another process can take it meanwhile.
  it('starts on another port when the chosen one was taken before the proxy bound it', async () => {
    const taken = await quietPort();
    // Accepts and never answers, as a hung process would.
    squatter = createServer((socket) => squattersConnections.push(socket));
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    const offered = [taken];
    proxy = await startLiteLlmProxy([{ name: 'm', kind: 'chat', reply: 'hi' }], undefined, async () => offered.shift() ?? quietPort());

    expect(proxy.baseUrl).not.toContain(`:${taken}/`);
    expect(proxy.output()).not.toMatch(/Errno 98/);
    const live = await fetch(proxy.baseUrl.replace(/\/v1$/, '/health/liveliness'));
    expect(live.status).toBe(200);
  }, STARTUP_MS);
});
