// `node bench/hostile-memory.mjs`: peak RSS of every gateway process under two hostile loads,
// against the stack `npm start` runs (separate processes, real ports), with the fake upstream:
//   1. eight concurrent 32 MiB request bodies (the default MAX_BODY_BYTES), twice over;
//   2. slow readers: streams of 4,000 large chunks that clients read 1 KiB a second.
// Prints a table (idle, peak, after) per process; a measurement, never a test.
// `--phase bodies` or `--phase slow` runs one load alone (each on a fresh stack by default both run,
// one after the other, on fresh stacks).
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

const phaseArg = process.argv.indexOf('--phase');
const phases = phaseArg > 0 ? [process.argv[phaseArg + 1]] : ['bodies', 'slow'];
const upstream = await forkModule('fake-upstream', join(import.meta.dirname, 'fake-upstream.mjs'), [], { stage: 0 });
const configure = (settings) => upstream.ask({ type: 'config', settings }, 'configured');
const tables = [];
try {
  for (const phase of phases) tables.push(await runPhase(phase));
  console.log(`\n${tables.join('\n')}`);
} finally {
  await stopAll();
  process.exit(0);
}

/** One load on a fresh stack: idle RSS, the peak while the load runs, RSS right after. */
async function runPhase(phase) {
  await configure({ delayMs: 0, chunks: 32, chunkGapMs: 20, chunkPadBytes: 0 });
  const stack = await startGatewayStack({ upstreamBase: `http://127.0.0.1:${upstream.port}/v1` });
  const processes = stack.processes();
  const peaks = new Map(processes.map((p) => [p.name, { idle: 0, peak: 0 }]));
  const sampler = setInterval(() => {
    for (const p of processes) {
      const entry = peaks.get(p.name);
      entry.peak = Math.max(entry.peak, rssMb(p.pid) ?? 0);
    }
  }, 50);
  const table = (title) =>
    [
      `### ${title}`,
      '',
      '| process | idle MB | peak MB | after MB |',
      '| --- | --- | --- | --- |',
      ...processes.map((p) => `| ${p.name} | ${peaks.get(p.name).idle} | ${peaks.get(p.name).peak} | ${rssMb(p.pid)} |`),
      '',
    ].join('\n');
  try {
    await sleep(1000);
    for (const p of processes) Object.assign(peaks.get(p.name), { idle: rssMb(p.pid), peak: rssMb(p.pid) ?? 0 });
    if (phase === 'bodies') {
      const statuses = await bigBodies(stack);
      await sleep(500);
      return table(`${CONCURRENT_BODIES} concurrent ${Math.round(BODY_BYTES / 1048576)} MiB bodies, two rounds (answers: ${countOf(statuses)})`);
    }
    await configure({ delayMs: 0, chunks: 4000, chunkGapMs: 0, chunkPadBytes: 2048 });
    const read = await Promise.all(Array.from({ length: SLOW_READERS }, () => slowReader(stack)));
    await sleep(500);
    return table(`${SLOW_READERS} slow readers (1 KiB/s for ${SLOW_READ_SECONDS} s) of 4,000-chunk streams of 2 KiB chunks (client read ${read.map((b) => Math.round(b / 1024)).join(', ')} KiB)`);
  } finally {
    clearInterval(sampler);
    await stack.close();
  }
}

function countOf(values) {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n}× ${value}`).join(', ');
}

async function bigBodies(stack) {
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
function slowReader(stack) {
  return new Promise((resolvePromise) => {
    const url = new URL(stack.url);
    const socket = connect(Number(url.port), url.hostname);
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream a lot' }], stream: true });
    let read = 0;
    socket.on('connect', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: ${stack.headers.authorization}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
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
