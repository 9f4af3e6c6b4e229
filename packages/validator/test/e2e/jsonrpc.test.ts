/**
 * JSON-RPC 2.0 conformance against a real validator process (the cases of the specification and
 * of ../shared/REFERENCES.md), plus bad input that must not harm what was already accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestNetwork, getJson, rpc, waitFor } from '@poa-vote/test-utils';

async function post(url: string, body: string): Promise<{ status: number; text: string; json: any }> {
  const r = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await r.text();
  return { status: r.status, text, json: text ? JSON.parse(text) : undefined };
}

describe('JSON-RPC 2.0 conformance on a real validator', () => {
  let net: TestNetwork;
  let url: string;

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: 400 });
    await net.start();
    await net.waitHealthy();
    url = net.validators[0]!.url;
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('echoes ids with their type, and null for unparseable requests', async () => {
    expect((await post(url, '{"jsonrpc":"2.0","method":"eth_chainId","id":7}')).json).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: '0x539',
    });
    expect((await post(url, '{"jsonrpc":"2.0","method":"eth_chainId","id":"7"}')).json.id).toBe('7');
    expect((await post(url, '{"jsonrpc":"2.0","method":"eth_chainId","id":null}')).json.id).toBeNull();
    const parse = await post(url, '{"jsonrpc":"2.0","method":"eth_chainId","id":1');
    expect(parse.status).toBe(200);
    expect(parse.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('rejects invalid requests with -32600 and unknown methods with -32601 naming them', async () => {
    expect((await post(url, '{"jsonrpc":"1.0","method":"eth_chainId","id":1}')).json.error.code).toBe(-32600);
    expect((await post(url, '{"jsonrpc":"2.0","method":1,"params":"bar","id":1}')).json.error.code).toBe(-32600);
    const unknown = (await post(url, '{"jsonrpc":"2.0","method":"foo_bar","id":1}')).json;
    expect(unknown.error.code).toBe(-32601);
    expect(unknown.error.message).toContain('foo_bar');
    const badParams = (
      await post(url, '{"jsonrpc":"2.0","method":"eth_getBlockByNumber","params":["nope",false],"id":1}')
    ).json;
    expect(badParams.error.code).toBe(-32602);
  });

  it('handles batches: empty, invalid entries, mixed, and all notifications', async () => {
    const empty = await post(url, '[]');
    expect(Array.isArray(empty.json)).toBe(false);
    expect(empty.json.error.code).toBe(-32600);
    const invalid = await post(url, '[1,2]');
    expect(invalid.json).toHaveLength(2);
    for (const e of invalid.json) expect(e).toMatchObject({ id: null, error: { code: -32600 } });
    const mixed = await post(
      url,
      JSON.stringify([
        { jsonrpc: '2.0', method: 'eth_chainId', id: 'a' },
        { jsonrpc: '2.0', method: 'net_version' },
        { foo: 'boo' },
        { jsonrpc: '2.0', method: 'nope', id: 5 },
      ]),
    );
    expect(mixed.json).toHaveLength(3);
    expect(mixed.json.find((r: any) => r.id === 'a').result).toBe('0x539');
    expect(mixed.json.find((r: any) => r.id === 5).error.code).toBe(-32601);
    const notes = await post(
      url,
      JSON.stringify([
        { jsonrpc: '2.0', method: 'eth_chainId' },
        { jsonrpc: '2.0', method: 'net_version' },
      ]),
    );
    expect(notes.text).toBe('');
  });

  it('accepts a batch of votes in one request, and bad votes in it do not harm the good ones', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({
      jsonrpc: '2.0',
      id: `b-${i}`,
      method: 'eth_sendTransaction',
      params: [{ from: `batch-voter-${i}`, to: 'election-9', data: JSON.stringify({ candidate: i % 2 ? 'x' : 'y' }) }],
    }));
    batch.push({
      jsonrpc: '2.0',
      id: 'bad',
      method: 'eth_sendTransaction',
      params: [{ from: '', to: 'election-9', data: 'x' }],
    } as never);
    const r = await post(url, JSON.stringify(batch));
    expect(r.json).toHaveLength(51);
    expect(r.json.filter((x: any) => typeof x.result === 'string')).toHaveLength(50);
    expect(r.json.find((x: any) => x.id === 'bad').error.code).toBe(-32602);
    // garbage in between changes nothing already accepted
    await post(url, '{"jsonrpc":"2.0","method":"eth_sendTransaction","params":[{"from":5}],"id":1}');
    await post(url, '\u0000\u0001garbage');
    await waitFor(
      async () => (await getJson(`${url}/results?election_id=9`)).body.total === 50,
      30_000,
      'the 50 batch votes finalized',
    );
    expect((await getJson(`${url}/results?election_id=9`)).body.results).toEqual({ x: 25, y: 25 });
    expect((await rpc(url, 'eth_getTransactionReceipt', ['b-3'])).result).not.toBeNull();
  }, 40_000);

  it('serves Ethereum shapes: canonical quantities, blocks by tag, number and hash', async () => {
    const num = (await rpc(url, 'eth_blockNumber', [])).result as string;
    expect(num).toMatch(/^0x(0|[1-9a-f][0-9a-f]*)$/);
    const latest = (await rpc(url, 'eth_getBlockByNumber', ['latest', false])).result as Record<string, unknown>;
    const finalized = (await rpc(url, 'eth_getBlockByNumber', ['finalized', true])).result as Record<string, unknown>;
    expect(latest.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const byHash = (await rpc(url, 'eth_getBlockByHash', [finalized.hash, false])).result as Record<string, unknown>;
    expect(byHash.number).toBe(finalized.number);
    expect((await rpc(url, 'eth_getBlockByNumber', ['0xffffff', false])).result).toBeNull();
    expect((await rpc(url, 'net_version', [])).result).toBe('1337');
    expect(typeof (await rpc(url, 'web3_clientVersion', [])).result).toBe('string');
    expect((await rpc(url, 'net_peerCount', [])).result).toBe('0x2');
  });
});
