// `node bench/hops.mjs [--mode=embedded|service]`: where the gateway's added latency goes, hop by
// hop, at concurrency 1. Interleaves, after a warm-up, the same chat request sent (1) straight to
// the fake upstream, (2) in service mode to adapter-openai over gRPC, (3) to the router over gRPC,
// (4) to ingress over HTTP; the differences of the medians are the cost of each hop. Embedded
// (the default) has no adapter service: the router's hop includes the adapter's work.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { startGatewayStack } from './gateway-stack.mjs';
import { chatRequest, makePool, now, once, percentile, r3 } from './load.mjs';
import { forkModule, installSignalHandlers, stopAll } from './lib/procs.mjs';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const ROUNDS = Number(process.env.HOPS_ROUNDS ?? 2000);
const WARMUP = 300;
const MODE = (process.argv.find((a) => a.startsWith('--mode=')) ?? '--mode=embedded').slice('--mode='.length);
if (!['embedded', 'service'].includes(MODE)) throw new Error(`--mode is embedded or service, not ${MODE}`);

/** A raw client that presents `credential` (x-service-credential) on every call, as the services' own clients do. */
function grpcClient(file, service, address, credential) {
  const definition = protoLoader.loadSync(join(root, 'proto/gateway/v1', file), {
    keepCase: false, longs: Number, enums: Number, defaults: true, arrays: true, objects: true, oneofs: false, includeDirs: [join(root, 'proto')],
  });
  const Client = grpc.loadPackageDefinition(definition).gateway.v1[service];
  const withCredential = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set('x-service-credential', credential);
        next(metadata, listener);
      },
    });
  return new Client(address, grpc.credentials.createInsecure(), { interceptors: [withCredential] });
}

const unary = (client, method, request) =>
  new Promise((resolveCall, reject) => client[method](request, (error, response) => (error ? reject(error) : resolveCall(response))));

async function timed(fn) {
  const start = now();
  await fn();
  return now() - start;
}

async function main() {
  installSignalHandlers();
  const upstream = await forkModule('fake-upstream', join(import.meta.dirname, 'fake-upstream.mjs'));
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  const gateway = await startGatewayStack({ upstreamBase: `${upstreamOrigin}/v1`, adapterMode: MODE });
  const body = Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] }));
  const directPool = makePool(upstreamOrigin, 4);
  const gatewayPool = makePool(gateway.url, 4);
  const directRequest = chatRequest({ model: 'gpt-4o', headers: { authorization: 'Bearer sk-bench' } });
  const gatewayRequest = chatRequest(gateway);
  const adapter = MODE === 'service' ? grpcClient('adapter.proto', 'ProviderAdapterService', gateway.grpc.adapterOpenai, gateway.serviceCredentials.router) : undefined;
  const router = grpcClient('router.proto', 'RouterService', gateway.grpc.router, gateway.serviceCredentials.ingress);
  const adapterRequest = {
    requestId: 'hop', body, clientModel: 'gpt-4o', includeUsage: false, headers: [], timeoutMs: 10_000,
    target: { providerId: 'openai', kind: 'openai', baseUrl: `${upstreamOrigin}/v1`, apiKey: 'sk-bench', model: 'gpt-4o', maxOutputTokens: 0 },
  };
  let n = 0;
  const routerRequest = () => ({ meta: { requestId: `hop-${n++}`, apiKeyId: 'bench', model: 'gpt-4o', stream: false, includeUsage: false, deadlineMs: 10_000 }, body, headers: [] });
  const paths = {
    upstream: () => once(directPool, directRequest),
    ...(adapter ? { 'adapter (gRPC)': () => unary(adapter, 'Chat', adapterRequest) } : {}),
    'router (gRPC)': () => unary(router, 'ChatCompletion', routerRequest()),
    'ingress (HTTP)': () => once(gatewayPool, gatewayRequest),
  };
  const samples = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const [name, call] of Object.entries(paths)) {
      const ms = await timed(call);
      if (round >= WARMUP) samples[name].push(ms);
    }
  }
  const rows = Object.entries(samples).map(([name, values]) => ({ name, p50: percentile(values, 50), p99: percentile(values, 99) }));
  console.log(`\nAdapters ${MODE}, ${ROUNDS} rounds after ${WARMUP} warm-up rounds.\n\n| path entered at | p50 ms | p99 ms | p50 added by this hop ms |\n| --- | --- | --- | --- |`);
  rows.forEach((row, i) => console.log(`| ${row.name} | ${r3(row.p50)} | ${r3(row.p99)} | ${i === 0 ? '–' : r3(row.p50 - rows[i - 1].p50)} |`));
  adapter?.close();
  router.close();
  await gateway.close();
  await stopAll();
}

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
