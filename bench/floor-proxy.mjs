// The floor: the least one Node hop can cost — node:http in, an undici Pool out, nothing else
// (no auth, no parsing, no logging). Body and answer are streamed through as they come, so a
// stream's chunks are written the moment they arrive. Run in its own process:
//   node bench/floor-proxy.mjs <upstream origin>   → IPC {type: 'listening', port}
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[2], { connections: 512, keepAliveTimeout: 60_000, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name)) headers[name] = value;
  upstream.request({ method: req.method, path: req.url, headers, body: req }, (error, answer) => {
    if (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: error.message, type: 'upstream_error', param: null, code: null } }));
      return;
    }
    const out = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP.has(name)) out[name] = value;
    res.writeHead(answer.statusCode, out);
    answer.body.on('data', (chunk) => res.write(chunk));
    answer.body.on('end', () => res.end());
    answer.body.on('error', () => res.destroy());
    res.on('close', () => answer.body.destroy());
  });
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
server.listen({ port: 0, host: '127.0.0.1' }, () => process.send({ type: 'listening', port: server.address().port }));
