// Finds nats-server (PATH, else .tools/bin, else builds it with `npm run tools`) and picks its port.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { findTool } from '../find-tool.mjs';

export function findOrInstallNats(root) {
  let bin = findTool('nats-server');
  if (bin) return bin;
  console.log('dev-stack: nats-server is neither on PATH nor in .tools/bin; building it with `npm run tools` (needs Go 1.24+)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'tools'], { cwd: root, stdio: 'inherit' });
  bin = result.status === 0 ? findTool('nats-server') : undefined;
  if (!bin) throw new Error('nats-server is missing and `npm run tools` could not build it; install it on PATH or set NATS_URL');
  return bin;
}

/** `preferred` when it is free on 127.0.0.1, else a free port chosen by the OS. */
export async function freePort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        const { port: bound } = server.address();
        server.close(() => resolve(bound));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0));
}
