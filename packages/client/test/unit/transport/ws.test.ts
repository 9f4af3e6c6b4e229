import { afterEach, describe, expect, it } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { WebSocketTransport, wsUrlOf, RpcError } from '@poa-vote/client';
import { FakeValidator, until } from '../helpers/fakeValidator.js';

let fake: FakeValidator | undefined;
let ws: WebSocketTransport | undefined;

afterEach(async () => {
  ws?.close();
  await fake?.close();
  ws = undefined;
  fake = undefined;
});

describe('wsUrlOf', () => {
  it('derives ws(s)://host/ws from the RPC URL', () => {
    expect(wsUrlOf('http://localhost:8001')).toBe('ws://localhost:8001/ws');
    expect(wsUrlOf('https://v1.example/api/')).toBe('wss://v1.example/api/ws');
  });
});

describe('WebSocketTransport', () => {
  it('delivers pushes, re-subscribes after a reconnect, and disconnects when the last subscription goes', async () => {
    fake = await FakeValidator.start('validator-1');
    ws = new WebSocketTransport(wsUrlOf(fake.url), { reconnect: { baseDelayMs: 5, maxDelayMs: 10 } });
    const got: unknown[] = [];
    let subscribed = 0;
    let lost = 0;
    const sub = ws.subscribe(['finalizedHeads'], {
      onData: (r) => got.push(r),
      onSubscribed: () => subscribed++,
      onLost: () => lost++,
    });
    await until(() => subscribed === 1, 3000, 'subscribed');
    fake.push('finalizedHeads', { number: '0x1' });
    fake.push('newHeads', { number: '0x9' });
    await until(() => got.length === 1, 3000, 'a push');
    expect(got).toEqual([{ number: '0x1' }]);

    fake.dropWebSockets();
    await until(() => lost === 1 && subscribed === 2, 3000, 'the re-subscription');
    fake.push('finalizedHeads', { number: '0x2' });
    await until(() => got.length === 2, 3000, 'a push after reconnecting');

    sub.unsubscribe();
    expect(ws.state).toBe('idle');
    await until(() => fake!.subscriptions === 0, 3000, 'the server to see the socket go');
  });

  it('tells the subscriber when the validator refuses the subscription', async () => {
    const errors: Error[] = [];
    // A server that refuses every eth_subscribe.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (s) =>
      s.on('message', (d) =>
        s.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: JSON.parse(d.toString()).id,
            error: { code: -32602, message: 'unknown topic' },
          }),
        ),
      ),
    );
    const port = (wss.address() as { port: number }).port;
    const refused = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`);
    refused.subscribe(['bogus'], { onData: () => undefined, onLost: (e) => errors.push(e) });
    await until(() => errors.length === 1, 3000, 'the refusal');
    expect(errors[0]).toBeInstanceOf(RpcError);
    expect(errors[0]!.message).toMatch(/unknown topic/);
    refused.close();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  it('rejects non-ws URLs and use after close', () => {
    expect(() => new WebSocketTransport('http://x')).toThrow(/ws:\/\//);
    const t = new WebSocketTransport('ws://127.0.0.1:1/ws');
    t.close();
    expect(() => t.subscribe(['newHeads'], { onData: () => undefined })).toThrow(/closed/);
  });
});

describe('WebSocketTransport sharing', () => {
  it('serves many local subscribers with one server subscription', async () => {
    fake = await FakeValidator.start('validator-1');
    ws = new WebSocketTransport(wsUrlOf(fake.url));
    const counts = [0, 0, 0];
    let subscribed = 0;
    const subs = counts.map((_, i) =>
      ws!.subscribe(['finalizedHeads'], { onData: () => counts[i]!++, onSubscribed: () => subscribed++ }),
    );
    await until(() => subscribed === 3, 3000, 'three confirmations');
    const late = ws.subscribe(['finalizedHeads'], { onData: () => undefined, onSubscribed: () => subscribed++ });
    await until(() => subscribed === 4, 3000, 'the late confirmation');
    expect(fake.subscribeCount).toBe(1);
    fake.push('finalizedHeads', { number: '0x1' });
    await until(() => counts.every((c) => c === 1), 3000, 'the fan-out');
    subs[0]!.unsubscribe();
    subs[1]!.unsubscribe();
    late.unsubscribe();
    expect(ws.subscriptionCount).toBe(1);
    expect(fake.subscriptions).toBe(1);
    subs[2]!.unsubscribe();
    expect(ws.subscriptionCount).toBe(0);
    await until(() => fake!.subscriptions === 0, 3000, 'the server-side unsubscribe');
  });
});
