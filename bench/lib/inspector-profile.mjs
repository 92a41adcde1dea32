// CPU profiles of a chosen window (the measurement, not start-up) through the inspector protocol
// of processes started with --inspect=127.0.0.1:0 (their URL read from "Debugger listening on").
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function session(url) {
  const socket = new WebSocket(url);
  let nextId = 1;
  const waiting = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    const settle = waiting.get(message.id);
    if (!settle) return;
    waiting.delete(message.id);
    if (message.error) settle.reject(new Error(message.error.message));
    else settle.resolve(message.result);
  });
  const opened = new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector ${url} unreachable`)), { once: true });
  });
  const send = async (method, params = {}) => {
    await opened;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  return { send, close: () => socket.close() };
}

/**
 * Starts a CPU profile in every process of `inspectors` ([{name, url}]); the returned stop()
 * ends them and writes `<dir>/<prefix><name>.cpuprofile`.
 */
export async function profileWindow(inspectors, dir, prefix = '') {
  const sessions = await Promise.all(
    inspectors.map(async ({ name, url }) => {
      const s = session(url);
      await s.send('Profiler.enable');
      await s.send('Profiler.start');
      return { name, s };
    }),
  );
  return async () => {
    for (const { name, s } of sessions) {
      const { profile } = await s.send('Profiler.stop');
      writeFileSync(join(dir, `${prefix}${name}.cpuprofile`), JSON.stringify(profile));
      s.close();
    }
  };
}
