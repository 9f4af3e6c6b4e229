/** The client sends the API token on every HTTP request and on the WebSocket upgrade. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createHttpTransport, WebSocketTransport, InvalidArgumentError } from '@poa-vote/client';
import { fetchWithApiToken } from '../../../src/transport/http.js';

const TOKEN = 'tok-'.padEnd(40, 'z');
let server: Server | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  wss?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  wss = undefined;
});

async function recorder(): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'GET' ? '{"ok":true}' : '{"jsonrpc":"2.0","id":1,"result":"0x1"}');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('API token', () => {
  it('goes as Authorization: Bearer on every HTTP request of a transport', async () => {
    const { url, seen } = await recorder();
    const t = createHttpTransport(url, { apiToken: TOKEN });
    await t.request('eth_blockNumber', [], { id: 1 });
    await t.get('/health');
    expect(seen.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(() => createHttpTransport(url, { apiToken: 'a b\r\nx: y' })).toThrow(InvalidArgumentError);
  });

  it('fetchWithApiToken adds it to any request (the validator pool uses fetchFn)', async () => {
    const { url, seen } = await recorder();
    const t = createHttpTransport(url, { fetchFn: fetchWithApiToken(TOKEN) });
    await t.request('eth_blockNumber', [], { id: 1 });
    expect(seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!['content-type']).toBe('application/json');
  });

  it('goes on the WebSocket upgrade request', async () => {
    const { url } = await recorder();
    wss = new WebSocketServer({ server });
    const upgrade = new Promise<IncomingHttpHeaders>((r) => wss!.once('connection', (_ws, req) => r(req.headers)));
    const ws = new WebSocketTransport(`${url.replace('http', 'ws')}/ws`, { apiToken: TOKEN, reconnect: false });
    const sub = ws.subscribe(['newHeads'], { onData: () => undefined });
    try {
      expect((await upgrade).authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      sub.unsubscribe();
      ws.close();
    }
  });
});
