// A fast fake OpenAI upstream, run in its own process (child_process.fork) so it never shares an
// event loop with the load generator or a gateway. POST /v1/chat/completions only:
//   - non-stream: a fixed chat.completion after `delayMs` (0 = answered in the same tick);
//   - stream: `chunks` chat.completion.chunk events, `chunkGapMs` apart (the first at once), then
//     the usage chunk when asked for, then [DONE].
//   - a slow tail (hedging bench): one request in `tailEvery` (0 = none), drawn by a seeded
//     pseudo-random sequence, waits `tailDelayMs` more before its first byte (headers and first
//     chunk, or the whole answer);
// The parent sets the behaviour with IPC messages {type: 'config', delayMs, chunks, chunkGapMs, chunkPadBytes, tailEvery, tailDelayMs};
// it is global (phases run one after another), so no header has to survive a gateway.
import { createServer } from 'node:http';

const settings = { delayMs: 0, chunks: 32, chunkGapMs: 20, chunkPadBytes: 0, tailEvery: 0, tailDelayMs: 0 };
const created = Math.floor(Date.now() / 1000);
const RATE_LIMIT = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '2000000',
  'x-ratelimit-remaining-tokens': '1999990',
  'x-ratelimit-reset-tokens': '0s',
};
const usage = { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 };
const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench0000000000000000',
    object: 'chat.completion',
    created,
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the fake provider.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage,
    system_fingerprint: 'fp_bench',
  }),
);
const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(completion.length), 'x-request-id': 'req_bench', ...RATE_LIMIT };
const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench', ...RATE_LIMIT };
const chunkEvent = (i, last, pad = 'p'.repeat(settings.chunkPadBytes)) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench0000000000000000',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o',
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: `t${i}${pad}` } : { content: ` t${i}${pad}` }, logprobs: null, finish_reason: last ? 'stop' : null }],
  })}\n\n`;
const usageEvent = `data: ${JSON.stringify({ id: 'chatcmpl-bench0000000000000000', object: 'chat.completion.chunk', created, model: 'gpt-4o', choices: [], usage })}\n\n`;
let events = [];
const buildEvents = () => (events = Array.from({ length: settings.chunks }, (_, i) => chunkEvent(i, i === settings.chunks - 1)));
buildEvents();

let served = 0;
/** mulberry32, seeded: the same tail in every run. */
let seed = 0x5eed;
function tailDraw() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
    return;
  }
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    served++;
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      /* answered like any other request */
    }
    // `delayMs` is the unary answer's; a stream starts at once unless it is in the tail.
    const delayMs = (body.stream === true ? 0 : settings.delayMs) + (settings.tailEvery > 0 && tailDraw() < 1 / settings.tailEvery ? settings.tailDelayMs : 0);
    const reply = body.stream === true ? () => stream(res, body.stream_options?.include_usage === true) : () => answer(res);
    if (delayMs > 0) {
      // An aborted request (a hedge's loser) leaves no timer behind.
      const timer = setTimeout(() => !res.destroyed && reply(), delayMs);
      res.on('close', () => clearTimeout(timer));
    } else reply();
  });
});

function answer(res) {
  res.writeHead(200, jsonHeaders);
  res.end(completion);
}

function stream(res, includeUsage) {
  res.writeHead(200, sseHeaders);
  const started = performance.now();
  let i = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  const next = () => {
    if (closed) return;
    res.write(events[i++]);
    if (i < events.length) {
      // Paced against the start, so timer lateness does not accumulate.
      setTimeout(next, Math.max(0, started + i * settings.chunkGapMs - performance.now()));
      return;
    }
    res.end(`${includeUsage ? usageEvent : ''}data: [DONE]\n\n`);
  };
  next();
}

process.on('message', (message) => {
  if (message?.type === 'config') {
    Object.assign(settings, message.settings);
    buildEvents();
    process.send({ type: 'configured', settings });
  } else if (message?.type === 'stats') {
    process.send({ type: 'stats', served });
  }
});
process.on('disconnect', () => process.exit(0)); // the parent is gone
process.on('SIGTERM', () => process.exit(0));

server.listen({ port: 0, host: '127.0.0.1' }, () => process.send({ type: 'listening', port: server.address().port }));
