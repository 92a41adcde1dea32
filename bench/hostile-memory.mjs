// `node bench/hostile-memory.mjs`: peak RSS of every gateway process under two hostile loads,
// against the stack `npm start` runs (separate processes, real ports), with the fake upstream:
//   1. eight concurrent 32 MiB request bodies (the default MAX_BODY_BYTES), twice over;
//   2. slow readers: streams of 4,000 large chunks that clients read 1 KiB a second.
// Prints a table (idle, peak, after) per process; a measurement, never a test.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { startGatewayStack } from './gateway-stack.mjs';
import { forkModule, installSignalHandlers, rssMb, sleep, stopAll } from './lib/procs.mjs';

const root = resolve(import.meta.dirname, '..');
const BODY_BYTES = 32 * 1024 * 1024 - 4096;
const CONCURRENT_BODIES = 8;
const SLOW_READERS = 4;
const SLOW_READ_SECONDS = 20;

installSignalHandlers();
if (!process.argv.includes('--no-build')) {
  const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
}

const upstream = await forkModule('fake-upstream', join(import.meta.dirname, 'fake-upstream.mjs'), [], { stage: 0 });
const configure = (settings) => upstream.ask({ type: 'config', settings }, 'configured');
const stack = await startGatewayStack({ upstreamBase: `http://127.0.0.1:${upstream.port}/v1` });
const processes = stack.processes();
const peaks = new Map(processes.map((p) => [p.name, { idle: rssMb(p.pid), peak: 0 }]));
const sampler = setInterval(() => {
  for (const p of processes) {
    const rss = rssMb(p.pid) ?? 0;
    const entry = peaks.get(p.name);
    if (rss > entry.peak) entry.peak = rss;
  }
}, 50);

function resetPeaks() {
  for (const p of processes) peaks.get(p.name).peak = rssMb(p.pid) ?? 0;
}

function table(title) {
  const rows = processes.map((p) => {
    const entry = peaks.get(p.name);
    return `| ${p.name} | ${entry.idle} | ${entry.peak} | ${rssMb(p.pid)} |`;
  });
  return [`### ${title}`, '', '| process | idle MB | peak MB | after MB |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

async function bigBodies() {
  const filler = 'x'.repeat(BODY_BYTES - 200);
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: filler }] });
  const statuses = [];
  for (let round = 0; round < 2; round++) {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT_BODIES }, () =>
        fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { ...stack.headers, 'content-type': 'application/json' }, body }).then(
          async (r) => (await r.arrayBuffer(), r.status),
          () => 'error',
        ),
      ),
    );
    statuses.push(...answers);
  }
  return statuses;
}

/** A stream whose client reads a little per second: the raw socket, paused between reads. */
function slowReader(key) {
  return new Promise((resolvePromise) => {
    const url = new URL(stack.url);
    const socket = connect(Number(url.port), url.hostname);
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream a lot' }], stream: true });
    let read = 0;
    socket.on('connect', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      socket.pause();
      const timer = setInterval(() => {
        const chunk = socket.read(1024);
        if (chunk) read += chunk.length;
      }, 1000);
      setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        resolvePromise(read);
      }, SLOW_READ_SECONDS * 1000);
    });
    socket.on('error', () => undefined);
  });
}

try {
  await sleep(1000);
  for (const p of processes) peaks.get(p.name).idle = rssMb(p.pid);
  resetPeaks();
  const statuses = await bigBodies();
  await sleep(500);
  const bodiesTable = table(`${CONCURRENT_BODIES} concurrent ${Math.round(BODY_BYTES / 1048576)} MiB bodies, two rounds (answers: ${[...new Set(statuses)].join(', ')})`);
  await sleep(5000);
  resetPeaks();
  await configure({ delayMs: 0, chunks: 4000, chunkGapMs: 0, chunkPadBytes: 2048 });
  const read = await Promise.all(Array.from({ length: SLOW_READERS }, () => slowReader(stack.headers.authorization)));
  await sleep(500);
  const slowTable = table(`${SLOW_READERS} slow readers (1 KiB/s for ${SLOW_READ_SECONDS} s) of 4,000-chunk streams (client read ${read.map((b) => Math.round(b / 1024)).join(', ')} KiB)`);
  console.log(`\n${bodiesTable}\n${slowTable}`);
} finally {
  clearInterval(sampler);
  await stack.close();
  await stopAll();
  process.exit(0);
}
