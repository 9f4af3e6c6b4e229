/** JSON-RPC and subscriptions over WebSocket (/ws) against a real ApiServer and a fake backend. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { WebSocket } from 'ws';
import { type Harness, QUANTITY_RE, startHarness, vote } from '../helpers.js';

/** A ws client that queues incoming JSON messages. */
class Client {
  readonly ws: WebSocket;
  readonly #queue: any[] = [];
  readonly #waiters: ((m: any) => void)[] = [];
  closed: Promise<{ code: number }>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      const w = this.#waiters.shift();
      if (w) w(m);
      else this.#queue.push(m);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve({ code })));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  next(timeoutMs = 2000): Promise<any> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
      this.#waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** Send and wait for the next message (requests are answered in order here). */
  async request(payload: unknown): Promise<any> {
    this.ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
    return this.next();
  }

  pending(): number {
    return this.#queue.length;
  }
}

let h: Harness;
let url: string;
const clients: Client[] = [];
async function connect(): Promise<Client> {
  const c = new Client(url);
  clients.push(c);
  await c.opened();
  return c;
}

beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 64 * 1024 });
  url = `ws://127.0.0.1:${h.server.port}/ws`;
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await h.stop();
});

describe('WebSocket JSON-RPC', () => {
  it('answers any method as over HTTP, including batches', async () => {
    const c = await connect();
    expect(await c.request({ jsonrpc: '2.0', id: 'a', method: 'eth_chainId' })).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      result: '0x539',
    });
    const batch = await c.request([
      { jsonrpc: '2.0', id: 1, method: 'net_version' },
      { jsonrpc: '2.0', method: 'net_version' },
      { jsonrpc: '2.0', id: 2, method: 'eth_sendTransaction', params: [vote('ws-voter')] },
    ]);
    expect(batch.map((r: any) => r.id)).toEqual([1, 2]);
    expect(batch[1].result).toMatch(/^0x[0-9a-f]{64}$/);
    expect(h.backend.submissionIds.at(-1)).toBe('2');
  });

  it('answers malformed frames with -32700 and keeps the connection and the server up', async () => {
    const c = await connect();
    expect(await c.request('{not json')).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    c.ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
    expect((await c.next()).error.code).toBe(-32700);
    expect(await c.request('[]')).toMatchObject({ error: { code: -32600 } });
    expect(await c.request({ jsonrpc: '2.0', id: 5, method: 'eth_blockNumber' })).toMatchObject({
      id: 5,
      result: expect.stringMatching(QUANTITY_RE),
    });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect((await h.call('eth_chainId')).result).toBe('0x539');
  });

  it('sends nothing for notifications', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_chainId' }));
    expect(await c.request({ jsonrpc: '2.0', id: 'after', method: 'eth_chainId' })).toMatchObject({ id: 'after' });
    expect(c.pending()).toBe(0);
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.server.port}/other`);
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(err.message).toContain('404');
  });
});

describe('WebSocket limits', () => {
  it('closes a connection that sends a frame over maxBodyBytes (1009) and keeps serving others', async () => {
    const c = await connect();
    c.ws.on('error', () => {});
    c.ws.send('x'.repeat(70 * 1024));
    expect((await c.closed).code).toBe(1009);
    const d = await connect();
    expect(await d.request({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })).toMatchObject({ result: '0x539' });
  });

  it('limits subscriptions per connection with -32005', async () => {
    const c = await connect();
    const batch = Array.from({ length: 65 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'eth_subscribe',
      params: ['newHeads'],
    }));
    const r = await c.request(batch);
    expect(r.filter((x: any) => typeof x.result === 'string')).toHaveLength(64);
    expect(r.filter((x: any) => x.error?.code === -32005)).toHaveLength(1);
  });
});

describe('eth_subscribe', () => {
  it('pushes newHeads and finalizedHeads once per height on finality, candidateHeads on a polka, until eth_unsubscribe', async () => {
    const c = await connect();
    const heads = await c.request({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] });
    const finals = await c.request({ jsonrpc: '2.0', id: 2, method: 'eth_subscribe', params: ['finalizedHeads'] });
    const candidates = await c.request({ jsonrpc: '2.0', id: 6, method: 'eth_subscribe', params: ['candidateHeads'] });
    expect(heads.result).toMatch(/^0x[0-9a-f]{32}$/);
    expect(finals.result).toMatch(/^0x[0-9a-f]{32}$/);
    expect(heads.result).not.toBe(finals.result);

    await h.call('eth_sendTransaction', [vote('sub-voter')]);
    const candidate = h.backend.proposeCandidate();
    const pushCandidate = await c.next();
    // Only candidateHeads hears of a candidate: newHeads waits until the block can be read.
    expect(pushCandidate).toEqual({
      jsonrpc: '2.0',
      method: 'eth_subscription',
      params: {
        subscription: candidates.result,
        result: expect.objectContaining({ hash: candidate.hash, certificate: null }),
      },
    });
    expect(pushCandidate.params.result.number).toMatch(QUANTITY_RE);
    expect(pushCandidate.params.result.transactions).toBeUndefined();

    const fb = h.backend.finalizePending();
    const pushes = [await c.next(), await c.next()];
    const head = pushes.find((p) => p.params.subscription === heads.result);
    const final = pushes.find((p) => p.params.subscription === finals.result);
    expect(head.params.result).toMatchObject({ hash: fb.block.hash, finalized: true });
    expect(final.params.result).toMatchObject({
      hash: fb.block.hash,
      number: `0x${fb.block.header.height.toString(16)}`,
      certificate: fb.certificate,
      finalized: true,
    });
    // The block a newHeads push names is readable at once.
    expect((await h.call('eth_getBlockByNumber', [head.params.result.number])).result.hash).toBe(fb.block.hash);

    expect(await c.request({ jsonrpc: '2.0', id: 3, method: 'eth_unsubscribe', params: [heads.result] })).toMatchObject(
      { id: 3, result: true },
    );
    expect(await c.request({ jsonrpc: '2.0', id: 4, method: 'eth_unsubscribe', params: [heads.result] })).toMatchObject(
      { id: 4, result: false },
    );
    expect(
      await c.request({ jsonrpc: '2.0', id: 7, method: 'eth_unsubscribe', params: [candidates.result] }),
    ).toMatchObject({ id: 7, result: true });
    h.backend.finalizePending();
    const only = await c.next();
    expect(only.params.subscription).toBe(finals.result);
    expect(await c.request({ jsonrpc: '2.0', id: 5, method: 'eth_chainId' })).toMatchObject({ id: 5 });
    expect(c.pending()).toBe(0);
  });

  it('rejects an unknown topic with -32602 naming the param', async () => {
    const c = await connect();
    const r = await c.request({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['logs'] });
    expect(r.error.code).toBe(-32602);
    expect(r.error.message).toContain('subscription');
    expect(r.error.message).toContain('newHeads');
  });

  it("drops a closed connection's subscriptions, and stop() closes clients", async () => {
    const c = await connect();
    await c.request({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['finalizedHeads'] });
    c.ws.close();
    await c.closed;
    h.backend.finalizePending(); // must not throw into the backend

    const other = await startHarness();
    const d = new Client(`ws://127.0.0.1:${other.server.port}/ws`);
    await d.opened();
    await d.request({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] });
    await other.stop();
    expect((await d.closed).code).toBe(1001);
    expect(other.backend.listenerCount()).toBe(0);
  });
});
