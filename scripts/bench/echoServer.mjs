// A bare node:http JSON-RPC echo: parses the body and answers each call with a fixed hash. The
// ceiling a node:http server on this machine reaches with the benchmark's load generator.
// Run as its own process; prints its port on stdout.
import http from 'node:http';

const RESULT = `0x${'ab'.repeat(32)}`;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let reply;
    try {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const one = (m) => ({ jsonrpc: '2.0', id: m?.id ?? null, result: RESULT });
      reply = JSON.stringify(Array.isArray(msg) ? msg.map(one) : one(msg));
    } catch (e) {
      reply = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: e.message } });
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
    res.end(reply);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
