import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AbortError,
  HttpRequestError,
  InvalidArgumentError,
  InvalidResponseError,
  RpcError,
  TimeoutError,
  createHttpTransport,
} from '@poa-vote/client';

let server: Server | undefined;
const hanging: ServerResponse[] = [];

async function serve(handler: (body: unknown, req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    handler(text ? JSON.parse(text) : undefined, req, res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(typeof body === 'string' ? body : JSON.stringify(body));
}

afterEach(async () => {
  for (const r of hanging.splice(0)) r.destroy();
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

describe('createHttpTransport', () => {
  it('sends JSON-RPC 2.0 with the given id and returns the result', async () => {
    let seen: unknown;
    const url = await serve((body, _req, res) => {
      seen = body;
      json(res, 200, { jsonrpc: '2.0', id: (body as { id: unknown }).id, result: '0x5' });
    });
    const t = createHttpTransport(`${url}/`);
    expect(t.url).toBe(url);
    expect(await t.request('eth_blockNumber', [], { id: 'abc' })).toBe('0x5');
    expect(seen).toEqual({ jsonrpc: '2.0', id: 'abc', method: 'eth_blockNumber', params: [] });
  });

  it('throws RpcError with code and data for an error answer', async () => {
    const url = await serve((body, _req, res) =>
      json(res, 200, {
        jsonrpc: '2.0',
        id: (body as { id: unknown }).id,
        error: { code: -32011, message: 'pool full', data: { code: 'POOL_FULL' } },
      }),
    );
    const err = await createHttpTransport(url)
      .request('eth_sendTransaction', [{}])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-32011);
    expect((err as RpcError).dataCode).toBe('POOL_FULL');
  });

  it('matches batch answers by id whatever their order, and flags missing ones', async () => {
    const url = await serve((body, _req, res) => {
      const calls = body as { id: number; method: string }[];
      const answers = calls
        .filter((c) => c.method !== 'drop')
        .map((c) =>
          c.method === 'fail'
            ? { jsonrpc: '2.0', id: c.id, error: { code: -32602, message: 'bad' } }
            : { jsonrpc: '2.0', id: c.id, result: c.method },
        )
        .reverse();
      json(res, 200, answers);
    });
    const out = await createHttpTransport(url).batch([
      { method: 'a' },
      { method: 'fail' },
      { method: 'drop' },
      { method: 'b', id: 'x' },
    ]);
    expect(out.map((o) => (o.ok ? o.result : o.error.name))).toEqual(['a', 'RpcError', 'InvalidResponseError', 'b']);
  });

  it('throws the single error object a server sends for a whole batch', async () => {
    const url = await serve((_b, _req, res) =>
      json(res, 200, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch too large' } }),
    );
    await expect(createHttpTransport(url).batch([{ method: 'a' }])).rejects.toThrow(/batch too large/);
    await expect(
      createHttpTransport(url).batch([
        { method: 'a', id: 1 },
        { method: 'b', id: 1 },
      ]),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('turns non-2xx into HttpRequestError with the status, and bad JSON into InvalidResponseError', async () => {
    const url = await serve((_b, req, res) =>
      req.url === '/bad' ? json(res, 200, '{nope') : json(res, 503, { error: 'down' }),
    );
    const t = createHttpTransport(url);
    const err = await t.get('/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpRequestError);
    expect((err as HttpRequestError).status).toBe(503);
    expect(await t.get('/health', { acceptStatus: [503] })).toEqual({ status: 503, body: { error: 'down' } });
    await expect(t.get('/bad')).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('times out a hanging server with TimeoutError, and honours abort with AbortError', async () => {
    const url = await serve((_b, _req, res) => void hanging.push(res));
    const t = createHttpTransport(url, { timeoutMs: 50 });
    await expect(t.get('/health')).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const p = t.get('/health', { signal: ac.signal, timeoutMs: 10_000 });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });

  it('reports a refused connection as HttpRequestError without status', async () => {
    const url = await serve(() => undefined);
    server!.close();
    const err = await createHttpTransport(url)
      .get('/health')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpRequestError);
    expect((err as HttpRequestError).status).toBeUndefined();
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => createHttpTransport('ws://x')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => createHttpTransport('nope')).toThrow(/not a URL/);
  });
});
