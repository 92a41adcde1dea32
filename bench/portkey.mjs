// Portkey's open-source gateway (npm @portkey-ai/gateway, a devDependency), started as its README
// says — `node build/start-server.js --port=N --headless` with NODE_ENV=production — and pointed
// at the fake upstream per request with x-portkey-provider: openai and x-portkey-custom-host.
// Its postinstall (patch-package) is not run by npm 11; the published package ships no patches/
// directory, so that script has nothing to apply and the built server runs as published.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { answers200 } from '../tools/dev-stack/child.mjs';
import { freePort } from '../tools/dev-stack/nats.mjs';
import { BenchChild } from './lib/procs.mjs';

export function portkeyPackage() {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@portkey-ai/gateway/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  return { version: manifest.version, bin: join(dirname(manifestPath), bin ?? 'build/start-server.js') };
}

/** @returns the target {name, url, headers, model, processes()} */
export async function startPortkey({ upstreamBase, verbose = false, patched = true }) {
  const { bin, version } = portkeyPackage();
  const port = await freePort(0);
  const child = new BenchChild({
    name: 'portkey', command: process.execPath, args: [...(patched ? ['--import', pathToFileURL(join(import.meta.dirname, 'portkey-fix.mjs')).href] : []), bin, `--port=${port}`, '--headless'],
    env: { ...process.env, NODE_ENV: 'production' }, cwd: dirname(bin), width: 7, stage: 5, echo: verbose,
    isReadyLine: (line) => line.includes('Ready for connections'),
  });
  await child.waitReady(() => answers200(`http://127.0.0.1:${port}/`), 30_000);
  return {
    name: 'portkey',
    label: `Portkey gateway ${version} (node, headless, NODE_ENV=production${patched ? '; bench/portkey-fix.mjs preloaded: mutable fetch-response headers, without which every stream fails' : ', as published'})`,
    version,
    url: `http://127.0.0.1:${port}`,
    model: 'gpt-4o',
    headers: { authorization: 'Bearer sk-bench-provider-key-0000', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamBase },
    processes: () => (child.alive ? [{ name: 'portkey', pid: child.process.pid }] : []),
    close: async () => {},
  };
}
