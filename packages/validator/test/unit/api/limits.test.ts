/** API limits and browser safety against a real ApiServer on 127.0.0.1 and a fake backend. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { ApiServer } from '../../../src/api/server.js';
import type { ApiLimits } from '../../../src/api/options.js';
import { hostName } from '../../../src/api/http/browser.js';
import { scanJson } from '../../../src/api/jsonrpc/scan.js';
import { HeapGuard } from '../../../src/util/heapGuard.js';
import { FakeBackend } from './fakeBackend.js';
import { vote } from './helpers.js';

interface Started {
  backend: FakeBackend;
  server: ApiServer;
  port: number;
  stop(): Promise<void>;
}

async function start(limits: Partial<ApiLimits> = {}): Promise<Started> {
  const backend = new FakeBackend();
  const server = new ApiServer(backend, {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024 * 1024,
    limits,
    writes: { openWrites: true },
  } as never);
  await server.start();
  return { backend, server, port: server.port, stop: () => server.stop() };
}

/** A raw HTTP request (node:http, so Host and Origin can be set). */
function raw(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/rpc',
        headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (method: string, params: unknown[], id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('scanJson', () => {
  it('counts depth outside strings and the calls of a top-level batch', () => {
    expect(scanJson('[[[1]]]', 3, 10).ok).toBe(true);
    expect(scanJson('[[[[1]]]]', 3, 10)).toEqual({ ok: false, limit: 'maxJsonDepth' });
    expect(scanJson('["[[[[[[", "\\"[[[["]', 3, 10).ok).toBe(true);
    expect(scanJson('[1,2,3]', 5, 3).ok).toBe(true);
    expect(scanJson('[1,2,3,4]', 5, 3)).toEqual({ ok: false, limit: 'maxBatchItems' });
    expect(scanJson('{"a":[1,2,3,4,5]}', 5, 3).ok).toBe(true);
  });
});

describe('hostName', () => {
  it('strips ports and brackets', () => {
    expect(hostName('LocalHost:8001')).toBe('localhost');
    expect(hostName('[::1]:8001')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('example.com.')).toBe('example.com');
  });
});

describe('bounded work per request', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({ maxBatchItems: 50, maxResponseBytes: 20_000, maxIdBytes: 32, maxJsonDepth: 10 });
    for (let i = 0; i < 20; i++) await s.backend.submit([{ tx: vote(`v${i}`) }]);
    s.backend.finalizePending();
  });
  afterAll(() => s.stop());

  it('refuses a batch over maxBatchItems before running any call', async () => {
    const batch = Array.from({ length: 51 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'eth_sendTransaction',
      params: [vote(`b${i}`)],
    }));
    const r = await raw(s.port, { body: JSON.stringify(batch) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32005, data: { limit: 'maxBatchItems', value: 50 } },
    });
    expect(s.backend.submitCalls).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // 4 million `1`s: refused by the scan, the error is one object (it was 452 MB before).
    const huge = `[${'1,'.repeat(2_000_00)}1]`;
    const h = await raw(s.port, { body: huge });
    expect(h.text.length).toBeLessThan(300);
    expect(h.json.error.data).toEqual({ limit: 'maxBatchItems', value: 50 });
  });

  it('stops running a batch once the reply budget is spent, and says so per call', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'eth_getBlockByNumber',
      params: ['0x1', true],
    }));
    const r = await raw(s.port, { body: JSON.stringify(batch) });
    expect(r.text.length).toBeLessThanOrEqual(20_000 + 40 * 200);
    const ok = r.json.filter((x: any) => 'result' in x);
    const limited = r.json.filter((x: any) => x.error?.code === -32005);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length + limited.length).toBe(40);
    expect(limited[0].error.data).toEqual({ limit: 'maxResponseBytes', value: 20_000 });
    // A single answer over the budget is refused the same way.
    const tiny = await start({ maxResponseBytes: 1024 });
    tiny.backend.finalizePending();
    const one = await raw(tiny.port, { body: call('eth_getBlockByNumber', ['latest', true]) });
    expect(one.json).toMatchObject({ id: 1, error: { code: -32005, data: { limit: 'maxResponseBytes' } } });
    await tiny.stop();
  });

  it('refuses long ids and ids with lone surrogates, and keeps "\\ufffd" distinct from "\\ud800"', async () => {
    const long = await raw(s.port, { body: call('eth_chainId', [], 'x'.repeat(33)) });
    expect(long.json).toMatchObject({ id: null, error: { code: -32600, data: { limit: 'maxIdBytes', value: 32 } } });
    expect(long.text.length).toBeLessThan(300);
    const lone = await raw(s.port, {
      body: '{"jsonrpc":"2.0","id":"\\ud800","method":"eth_sendTransaction","params":[{"from":"s1","to":"election-1","data":"x"}]}',
    });
    expect(lone.json).toMatchObject({ id: null, error: { code: -32600 } });
    expect(lone.json.error.message).toMatch(/lone surrogate/);
    const replacement = await raw(s.port, {
      body: JSON.stringify({ jsonrpc: '2.0', id: '\ufffd', method: 'eth_sendTransaction', params: [vote('s2')] }),
    });
    expect(replacement.json.id).toBe('\ufffd');
    const lookup = await raw(s.port, {
      body: '{"jsonrpc":"2.0","id":2,"method":"poa_getTransactionStatus","params":["\\ud800"]}',
    });
    expect(lookup.json.error.code).toBe(-32602);
  });

  it('answers deep nesting with -32600 over HTTP (200) and over WebSocket', async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const r = await raw(s.port, { body: deep });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: null, error: { code: -32600, data: { limit: 'maxJsonDepth', value: 10 } } });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`);
    await new Promise((res) => ws.once('open', res));
    const answer = new Promise<any>((res) => ws.once('message', (d) => res(JSON.parse(d.toString()))));
    ws.send(deep);
    expect(await answer).toMatchObject({ error: { code: -32600, data: { limit: 'maxJsonDepth' } } });
    ws.close();
  });

  it('yields to the event loop during a 2,000-call batch', async () => {
    const big = await start({ maxBatchItems: 5000 });
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'eth_getTransactionReceipt',
      params: [`sub-${i}`],
    }));
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const r = await raw(big.port, { body: JSON.stringify(batch) });
    h.disable();
    expect(r.json).toHaveLength(2000);
    // Under 10 ms of work between yields; the loop is never held much longer (machine noise aside).
    expect(h.max / 1e6).toBeLessThan(200);
    await big.stop();
  });
});

describe('browser safety', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({ corsOrigins: ['https://explorer.example'] });
  });
  afterAll(() => s.stop());

  it('serves localhost, IP literals and refuses other host names (DNS rebinding) on every route', async () => {
    for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, `[::1]:${s.port}`, '10.1.2.3']) {
      expect((await raw(s.port, { body: call('eth_chainId', []), headers: { host } })).status).toBe(200);
    }
    const rpc = await raw(s.port, { body: call('eth_chainId', []), headers: { host: 'attacker.example' } });
    expect(rpc.status).toBe(403);
    expect(rpc.json).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, data: { host: 'attacker.example' } },
    });
    const get = await raw(s.port, { method: 'GET', path: '/health', headers: { host: 'attacker.example:80' } });
    expect(get.status).toBe(403);
    expect(get.json.error).toMatch(/--rpc-vhosts/);
    const any = await start({ vhosts: ['*'] });
    expect((await raw(any.port, { body: call('eth_chainId', []), headers: { host: 'anything.example' } })).status).toBe(
      200,
    );
    await any.stop();
  });

  it('refuses cross-origin requests unless allowed, serves same-origin ones and answers CORS preflights', async () => {
    const evil = await raw(s.port, {
      body: call('eth_sendTransaction', [vote('x')]),
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(evil.json.error.message).toMatch(/origin/);
    const same = await raw(s.port, {
      body: call('eth_chainId', []),
      headers: { origin: `http://127.0.0.1:${s.port}`, host: `127.0.0.1:${s.port}` },
    });
    expect(same.status).toBe(200);
    const allowed = await raw(s.port, {
      body: call('eth_chainId', []),
      headers: { origin: 'https://explorer.example' },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://explorer.example');
    const pre = await raw(s.port, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://explorer.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://explorer.example');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Content-Type/);
    expect(String(pre.headers['access-control-allow-methods'])).toMatch(/POST/);
    const badPre = await raw(s.port, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(badPre.status).toBe(403);
    expect(badPre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('executes only JSON bodies: a form post gets 415 naming its content type', async () => {
    const form = await raw(s.port, {
      body: call('eth_sendTransaction', [vote('f')]),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.json.error.message).toContain('application/x-www-form-urlencoded');
    expect(s.backend.submitCalls).toEqual([]);
  });

  it('refuses a cross-origin WebSocket and a foreign Host on upgrade', async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    expect(await refused({ origin: 'https://evil.example' })).toBe(403);
    expect(await refused({ host: 'attacker.example' })).toBe(403);
  });
});

describe('connection and buffer limits', () => {
  it('limits WebSocket connections per address and requests in flight per connection', async () => {
    const s = await start({ wsMaxConnectionsPerIp: 2, wsMaxInFlight: 1 });
    const open = () =>
      new Promise<{ ws: WebSocket; status: number }>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`);
        ws.on('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
        ws.on('open', () => resolve({ ws, status: 101 }));
        ws.on('error', () => undefined);
      });
    const a = await open();
    const b = await open();
    const c = await open();
    expect([a.status, b.status, c.status]).toEqual([101, 101, 429]);
    const replies: any[] = [];
    a.ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    const batch = JSON.stringify(
      Array.from({ length: 200 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'eth_getTransactionReceipt',
        params: [`r${i}`],
      })),
    );
    a.ws.send(batch);
    a.ws.send(call('eth_chainId', [], 'second'));
    await new Promise((r) => setTimeout(r, 500));
    expect(replies.some((m) => !Array.isArray(m) && m.error?.data?.limit === 'wsMaxInFlight')).toBe(true);
    a.ws.close();
    b.ws.close();
    await s.stop();
  });

  it('drops a WebSocket client that takes none of its unsent data for wsStallMs (control: held open without it)', async () => {
    // Unsent bytes stay far below wsMaxBufferedBytes, as when the reply budget bounds a non-reader's
    // answers and the kernel's socket buffers take part of them: only the stall check drops it.
    const run = async (wsStallMs: number, pauseMs: number) => {
      const s = await start({ wsStallMs, wsMaxBufferedBytes: 1 << 30, wsMaxInFlight: 64 });
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`);
      await new Promise((r) => ws.on('open', r));
      let code: number | undefined;
      let received = 0;
      ws.on('close', (c) => (code = c));
      ws.on('message', (d: Buffer) => (received += d.length));
      const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      const batch = JSON.stringify(
        Array.from({ length: 1000 }, (_, i) => ({
          jsonrpc: '2.0',
          id: `${i}`.padEnd(250, 'x'),
          method: 'eth_chainId',
        })),
      );
      for (let i = 0; i < 40; i++) ws.send(batch);
      await new Promise((r) => setTimeout(r, pauseMs));
      socket.resume();
      await new Promise((r) => setTimeout(r, 1500));
      const result = { code, received };
      ws.terminate();
      await s.stop();
      return result;
    };
    const control = await run(3_600_000, 3_000);
    expect(control.code).toBeUndefined();
    // All 40 answers (~11 MB) were held for the client and delivered once it read.
    expect(control.received).toBeGreaterThan(10_000_000);
    // Paused long enough for the whole defence to run before it reads again: the answers take up
    // to ~2 s to produce, the stall is seen within wsStallMs plus the 1 s sweep, and a close frame
    // stuck behind the unsent data is followed by a destroy a second later. (With a 3 s pause the
    // destroy could come after the client resumed, and it then read every answer before the close.)
    const defended = await run(1_000, 6_000);
    // Closed by the server: 1013 when the close frame got through, 1006 when the socket was destroyed
    // behind the unsent data a second later.
    expect([1013, 1006]).toContain(defended.code);
    expect(defended.received).toBeLessThan(control.received);
  }, 30_000);

  it('answers 429 to a client pipelining more than httpMaxPipelined requests', async () => {
    // node's http runs pipelined GETs concurrently: without the limit all 40 are in flight at once.
    const s = await start({ httpMaxPipelined: 4 });
    const one = 'GET /evidence HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';
    const sock = connect(s.port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.write(one.repeat(40));
    await new Promise((r) => {
      sock.on('close', r);
      setTimeout(r, 3000);
    });
    sock.destroy();
    const statuses = got.match(/HTTP\/1.1 \d+/g) ?? [];
    expect(statuses.slice(0, 4)).toEqual(Array(4).fill('HTTP/1.1 200'));
    expect(statuses).toContain('HTTP/1.1 429');
    expect(statuses.length).toBeLessThan(40);
    expect(got).toMatch(/httpMaxPipelined/);
    await s.stop();
  });

  it('refuses RPC with 503 when the heap guard trips, and /health still answers', async () => {
    const s = await start({ heapLimitPercent: 1 });
    expect(new HeapGuard(1).overloaded()).toBe(true);
    const r = await raw(s.port, { body: call('eth_chainId', []) });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ code: -32005, data: { limit: 'heapLimitPercent', value: 1 } });
    expect((await raw(s.port, { method: 'GET', path: '/health' })).status).toBe(200);
    await s.stop();
  });
});
