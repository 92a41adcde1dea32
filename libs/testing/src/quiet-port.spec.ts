import { createServer } from 'node:net';
import { ephemeralPortRange, quietPort } from './quiet-port';

describe('quietPort', () => {
  it('returns a bindable port below the range port 0 draws from', async () => {
    const port = await quietPort();
    const server = createServer();

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));

    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralPortRange().low);
  });
});
