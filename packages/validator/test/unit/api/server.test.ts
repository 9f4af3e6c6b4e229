/** JSON-RPC over HTTP against a real ApiServer on 127.0.0.1 (ephemeral port) and a fake backend. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { authorityAddress, electionAddress, genesisHash, rpcContract, txHash, voterAddress } from '@poa-vote/shared';
import { inputData } from '../../../src/api/format.js';
import { ApiServer } from '../../../src/api/server.js';
import { FakeBackend } from './fakeBackend.js';
import { HASH_RE, QUANTITY_RE, type Harness, startHarness, vote } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 4096 });
});
afterAll(async () => {
  await h.stop();
});

describe('ApiServer lifecycle', () => {
  it('binds an ephemeral port, and stop() closes keep-alive sockets', async () => {
    const backend = new FakeBackend();
    const server = new ApiServer(backend, { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 });
    expect(() => server.port).toThrow(/not listening/);
    await server.start();
    expect(server.port).toBeGreaterThan(0);
    expect(backend.listenerCount()).toBe(2);
    const res = await fetch(`http://127.0.0.1:${server.port}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
      keepalive: true,
    });
    expect(((await res.json()) as any).result).toBe('0x539');
    await server.stop();
    expect(backend.listenerCount()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
  });

  it('rejects bad options and a port in use', async () => {
    expect(() => new ApiServer(new FakeBackend(), { host: '127.0.0.1', port: 0, maxBodyBytes: 0 })).toThrow(
      /maxBodyBytes/,
    );
    const other = new ApiServer(new FakeBackend(), { host: '127.0.0.1', port: h.server.port, maxBodyBytes: 1024 });
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
    await other.stop();
  });
});

describe('JSON-RPC 2.0 over HTTP', () => {
  it('echoes string and number ids with their type', async () => {
    expect(await h.call('eth_chainId', [], 'abc')).toEqual({ jsonrpc: '2.0', id: 'abc', result: '0x539' });
    expect(await h.call('eth_chainId', [], 42)).toEqual({ jsonrpc: '2.0', id: 42, result: '0x539' });
    expect(await h.call('eth_chainId', [], null)).toEqual({ jsonrpc: '2.0', id: null, result: '0x539' });
  });

  it('answers POST / as well as POST /rpc, for JSON content types only', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"net_version"}';
    for (const headers of [
      { 'content-type': 'application/json' },
      { 'content-type': 'Application/JSON; charset=utf-8' },
      { 'content-type': 'application/json-rpc' },
    ]) {
      const r = await h.post(body, { path: '/', headers });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ jsonrpc: '2.0', id: 1, result: '1337' });
    }
    // What a cross-origin page can send without a preflight is not executed.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await h.post(body, { path: '/rpc', headers: { 'content-type': type } });
      expect(r.status).toBe(415);
      expect(r.json).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, data: { contentType: type.split(';')[0] } },
      });
      expect(r.json.error.message).toContain(type.split(';')[0]);
    }
  });

  it('answers invalid JSON with -32700, id null, HTTP 200', async () => {
    const r = await h.post('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('answers [] with one -32600 object and [1,2] with two', async () => {
    const empty = await h.post('[]');
    expect(empty.status).toBe(200);
    expect(Array.isArray(empty.json)).toBe(false);
    expect(empty.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const two = await h.post('[1,2]');
    expect(two.json).toHaveLength(2);
    expect(two.json.every((e: any) => e.error.code === -32600 && e.id === null)).toBe(true);
  });

  it('answers a wrong jsonrpc version with -32600', async () => {
    const r = await h.post('{"jsonrpc":"1.0","id":3,"method":"eth_chainId"}');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 3, error: { code: -32600 } });
  });

  it('answers an unknown method with -32601 naming it', async () => {
    const r = await h.call('eth_frobnicate', [], 4);
    expect(r.error.code).toBe(-32601);
    expect(r.error.message).toContain('eth_frobnicate');
  });

  it('answers bad params with -32602 naming the param', async () => {
    const r = await h.call('eth_getBlockByNumber', ['0x01', false]);
    expect(r.error.code).toBe(-32602);
    expect(r.error.message).toContain('block');
    const flag = await h.call('eth_getBlockByNumber', ['latest', 'yes']);
    expect(flag.error.message).toContain('fullTransactions');
    const hash = await h.call('eth_getBlockByHash', ['0x1234']);
    expect(hash.error.message).toContain('blockHash');
  });

  it('answers an internal failure with -32603 and no stack', async () => {
    h.backend.failWith = new Error('storage is closed');
    try {
      const r = await h.call('eth_getTransactionReceipt', ['some-id']);
      expect(r.error.code).toBe(-32603);
      expect(r.error.message).toContain('storage is closed');
      expect(JSON.stringify(r)).not.toContain('.ts:');
    } finally {
      h.backend.failWith = undefined;
    }
  });

  it('gives a notification no reply: HTTP 204 without a body, also for an all-notification batch', async () => {
    const single = await h.post('{"jsonrpc":"2.0","method":"eth_chainId"}');
    expect(single.status).toBe(204);
    expect(single.text).toBe('');
    const batch = await h.post(
      '[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"no_such_method"}]',
    );
    expect(batch.status).toBe(204);
    expect(batch.text).toBe('');
  });

  it('answers a mixed batch once per non-notification entry', async () => {
    const r = await h.post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', method: 'net_version' },
        { jsonrpc: '2.0', id: 'two', method: 'net_version' },
        { foo: 'boo' },
        { jsonrpc: '2.0', id: 3, method: 'nope' },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.json.map((x: any) => x.id)).toEqual([1, 'two', null, 3]);
    expect(r.json[0].result).toBe('0x539');
    expect(r.json[1].result).toBe('1337');
    expect(r.json[2].error.code).toBe(-32600);
    expect(r.json[3].error.code).toBe(-32601);
  });

  it('answers an oversized body with HTTP 413 and a JSON-RPC error, then keeps serving', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_sendTransaction',
      params: [{ ...vote('big'), data: 'x'.repeat(10_000) }],
    });
    const r = await h.post(big);
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'request body exceeds 4096 bytes' },
    });
    // Chunked (no content-length): the limit is counted while reading.
    const chunks = [
      new TextEncoder().encode('['),
      new TextEncoder().encode(`${'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},'.repeat(200)}1]`),
    ];
    const stream = new ReadableStream({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    const chunked = await fetch(`${h.base}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).error.code).toBe(-32600);
    expect(await h.call('eth_chainId')).toMatchObject({ result: '0x539' });
  });

  it('answers other methods on /rpc and unknown routes with JSON', async () => {
    const get = await fetch(`${h.base}/rpc`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as any).error).toContain('POST');
    const missing = await fetch(`${h.base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error).toContain('/nowhere');
  });
});

describe('eth_sendTransaction and receipts', () => {
  it('returns the 32-byte hash; an identical resubmission returns the same hash', async () => {
    const tx = vote('voter-a');
    const r = await h.call('eth_sendTransaction', [{ ...tx, gas: '0x5208', value: '0x0' }], 'sub-a');
    expect(r.result).toMatch(HASH_RE);
    expect(r.result).toBe(txHash(tx));
    const again = await h.call('eth_sendTransaction', [tx], 'sub-a2');
    expect(again.result).toBe(r.result);
  });

  it('accepts `input` in place of `data` (Ethereum tooling)', async () => {
    const r = await h.call('eth_sendTransaction', [{ from: 'voter-input', to: 'election-1', input: '0xdeadbeef' }]);
    expect(r.result).toBe(txHash({ from: 'voter-input', to: 'election-1', data: '0xdeadbeef' }));
  });

  it('passes the request id, stringified, as the submission id; receipts resolve by it and by hash', async () => {
    const tx = vote('voter-receipt', '2', 'bob');
    const sent = await h.call('eth_sendTransaction', [tx], 9001);
    expect(h.backend.submissionIds.at(-1)).toBe('9001');
    expect((await h.call('eth_getTransactionReceipt', ['9001'])).result).toBeNull();
    expect((await h.call('poa_getTransactionStatus', ['9001'])).result).toEqual({
      state: 'accepted',
      hash: sent.result,
    });
    const pendingTx = (await h.call('eth_getTransactionByHash', [sent.result])).result;
    expect(pendingTx).toMatchObject({
      hash: sent.result,
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      from: voterAddress('voter-receipt'),
      to: electionAddress('election-2'),
      voterId: 'voter-receipt',
      electionId: '2',
      input: inputData(tx.data),
    });
    expect(pendingTx.data).toBeUndefined();

    const fb = h.backend.finalizePending();
    const byId = (await h.call('eth_getTransactionReceipt', ['9001'])).result;
    const byNumberId = (await h.call('eth_getTransactionReceipt', [9001])).result;
    const byHash = (await h.call('eth_getTransactionReceipt', [sent.result])).result;
    expect(byId).toEqual(byHash);
    expect(byNumberId).toEqual(byHash);
    const index = fb.block.transactions.findIndex((t) => txHash(t) === sent.result);
    expect(byHash).toEqual({
      transactionHash: sent.result,
      transactionIndex: `0x${index.toString(16)}`,
      blockHash: fb.block.hash,
      blockNumber: `0x${fb.block.header.height.toString(16)}`,
      from: voterAddress('voter-receipt'),
      to: electionAddress('election-2'),
      voterId: 'voter-receipt',
      electionId: '2',
      gasUsed: '0x5208',
      cumulativeGasUsed: `0x${(21000 * (index + 1)).toString(16)}`,
      effectiveGasPrice: '0x0',
      contractAddress: null,
      logs: [],
      logsBloom: `0x${'0'.repeat(512)}`,
      status: '0x1',
      type: '0x0',
    });
    for (const k of [
      'transactionIndex',
      'blockNumber',
      'gasUsed',
      'cumulativeGasUsed',
      'effectiveGasPrice',
      'status',
      'type',
    ])
      expect(byHash[k]).toMatch(QUANTITY_RE);
    expect((await h.call('poa_getTransactionStatus', [sent.result])).result).toMatchObject({
      state: 'finalized',
      blockHash: fb.block.hash,
    });
    const minedTx = (await h.call('eth_getTransactionByHash', ['9001'])).result;
    expect(minedTx).toMatchObject({
      blockHash: fb.block.hash,
      blockNumber: `0x${fb.block.header.height.toString(16)}`,
      gas: '0x5208',
      value: '0x0',
    });
    expect(minedTx.input).toBe(`0x${Buffer.from(tx.data).toString('hex')}`);
  });

  it('returns null receipts and an unknown status for unknown references', async () => {
    expect((await h.call('eth_getTransactionReceipt', [`0x${'ab'.repeat(32)}`])).result).toBeNull();
    expect((await h.call('eth_getTransactionReceipt', ['never-sent'])).result).toBeNull();
    expect((await h.call('eth_getTransactionByHash', ['never-sent'])).result).toBeNull();
    expect((await h.call('poa_getTransactionStatus', ['never-sent'])).result).toEqual({
      state: 'unknown',
      hash: null,
      submissionId: 'never-sent',
    });
    expect((await h.call('eth_getTransactionReceipt', [''])).error.code).toBe(-32602);
  });

  it('answers a double vote with -32010 naming the earlier transaction', async () => {
    const first = await h.call('eth_sendTransaction', [vote('voter-dv', '3', 'alice')]);
    const second = await h.call('eth_sendTransaction', [vote('voter-dv', '3', 'bob')]);
    expect(second.error.code).toBe(-32010);
    expect(second.error.message).toContain(first.result);
    expect(second.error.data).toMatchObject({ code: 'TX_DOUBLE_VOTE', conflictsWith: first.result });
  });

  it('answers a full pool with -32011 POOL_FULL and a too-large vote with -32602', async () => {
    h.backend.poolCapacity = 0;
    try {
      const r = await h.call('eth_sendTransaction', [vote('voter-full')]);
      expect(r.error.code).toBe(-32011);
      expect(r.error.data.code).toBe('POOL_FULL');
    } finally {
      h.backend.poolCapacity = 1000;
    }
    const large = await h.call('eth_sendTransaction', [
      { from: 'voter-large', to: 'election-1', data: 'x'.repeat(100) },
    ]);
    expect(large.error.code).toBe(-32602);
    expect(large.error.data.code).toBe('TX_TOO_LARGE');
  });

  it('answers an invalid vote with -32602 naming the field, without calling the node', async () => {
    const before = h.backend.submitCalls.length;
    const badTo = await h.call('eth_sendTransaction', [{ from: 'v', to: '0x1234', data: 'x' }]);
    expect(badTo.error.code).toBe(-32602);
    expect(badTo.error.message).toContain('transaction.to');
    expect(badTo.error.data).toEqual({ param: 'transaction.to' });
    const noFrom = await h.call('eth_sendTransaction', [{ to: 'election-1', data: 'x' }]);
    expect(noFrom.error.message).toContain('transaction.from');
    const noData = await h.call('eth_sendTransaction', [{ from: 'v', to: 'election-1' }]);
    expect(noData.error.message).toContain('transaction.data');
    const notObject = await h.call('eth_sendTransaction', ['0xf86c']);
    expect(notObject.error.message).toContain('transaction');
    const none = await h.call('eth_sendTransaction', []);
    expect(none.error.message).toContain('missing required param transaction');
    expect(h.backend.submitCalls.length).toBe(before);
  });

  it('sends every eth_sendTransaction of a batch to the node in one submit call', async () => {
    const before = h.backend.submitCalls.length;
    const batch = [
      { jsonrpc: '2.0', id: 'b1', method: 'eth_sendTransaction', params: [vote('batch-1')] },
      { jsonrpc: '2.0', id: 'b2', method: 'eth_blockNumber' },
      {
        jsonrpc: '2.0',
        id: 'b3',
        method: 'eth_sendTransaction',
        params: [{ from: 'batch-bad', to: 'nope', data: 'x' }],
      },
      { jsonrpc: '2.0', method: 'eth_sendTransaction', params: [vote('batch-notify')] },
      { jsonrpc: '2.0', id: 7, method: 'eth_sendTransaction', params: [vote('batch-2')] },
    ];
    const r = await h.post(JSON.stringify(batch));
    expect(h.backend.submitCalls.slice(before)).toEqual([3]);
    expect(h.backend.submissionIds.slice(-3)).toEqual(['b1', undefined, '7']);
    expect(r.json.map((x: any) => x.id)).toEqual(['b1', 'b2', 'b3', 7]);
    expect(r.json[0].result).toBe(txHash(vote('batch-1')));
    expect(r.json[1].result).toMatch(QUANTITY_RE);
    expect(r.json[2].error.code).toBe(-32602);
    expect(r.json[3].result).toBe(txHash(vote('batch-2')));
    expect((await h.call('eth_getTransactionReceipt', ['7'])).result).toBeNull();
    expect((await h.call('poa_getTransactionStatus', ['7'])).result.state).toBe('accepted');
  });
});

describe('poa_getElection (defined by the shared contract)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('answers the election id, its finalized vote count and the finalized height, in the contract shape', async () => {
    await h.call('eth_sendTransaction', [vote('voter-election-1', '41', 'alice')]);
    await h.call('eth_sendTransaction', [vote('voter-election-2', '41', 'bob')]);
    const fb = h.backend.finalizePending();
    const r = (await h.call('poa_getElection', ['41'])).result;
    expect(r).toEqual({ electionId: '41', voteCount: 2, finalizedHeight: fb.block.header.height });
    expect(rpcContract.poa_getElection.result.safeParse(r).success).toBe(true);
    expect((await h.call('poa_getElection', ['nobody'])).result).toMatchObject({ voteCount: 0 });
    const bad = await h.call('poa_getElection', ['bad id!']);
    expect(bad.error).toMatchObject({ code: -32602, data: { param: 'electionId' } });
  });
});

describe('Ethereum chain data shapes', () => {
  it('serves chain id, block number, versions, peers and syncing', async () => {
    expect((await h.call('eth_chainId')).result).toBe('0x539');
    expect((await h.call('net_version')).result).toBe('1337');
    expect((await h.call('net_peerCount')).result).toBe('0x2');
    expect((await h.call('web3_clientVersion')).result).toBe('poa-vote-validator/test');
    expect((await h.call('eth_syncing')).result).toBe(false);
    h.backend.syncing = true;
    try {
      const s = (await h.call('eth_syncing')).result;
      for (const k of ['startingBlock', 'currentBlock', 'highestBlock']) expect(s[k]).toMatch(QUANTITY_RE);
    } finally {
      h.backend.syncing = false;
    }
    const n = (await h.call('eth_blockNumber')).result;
    expect(n).toMatch(QUANTITY_RE);
    expect(Number.parseInt(n, 16)).toBe(h.backend.finalizedHeight());
  });

  it('serves blocks by number, tag and hash, with hashes or full transactions', async () => {
    await h.call('eth_sendTransaction', [vote('shape-1')]);
    await h.call('eth_sendTransaction', [vote('shape-2', '1', 'bob')]);
    const fb = h.backend.finalizePending();
    const height = fb.block.header.height;
    const latest = (await h.call('eth_getBlockByNumber', ['latest', false])).result;
    expect(latest.hash).toBe(fb.block.hash);
    for (const tag of ['finalized', 'safe'])
      expect((await h.call('eth_getBlockByNumber', [tag])).result.hash).toBe(fb.block.hash);
    const byNumber = (await h.call('eth_getBlockByNumber', [`0x${height.toString(16)}`, false])).result;
    const byHash = (await h.call('eth_getBlockByHash', [fb.block.hash.toUpperCase().replace('0X', '0x'), false]))
      .result;
    expect(byNumber).toEqual(latest);
    expect(byHash).toEqual(latest);
    expect(latest).toMatchObject({
      number: `0x${height.toString(16)}`,
      parentHash: fb.block.header.parentHash,
      timestamp: `0x${Math.floor(fb.block.header.timestamp / 1000).toString(16)}`,
      miner: authorityAddress(h.backend.authorities[fb.block.header.proposer]!.publicKey),
      proposer: h.backend.authorities[fb.block.header.proposer]!.id,
      slot: `0x${fb.block.header.slot.toString(16)}`,
      txRoot: fb.block.header.txRoot,
      signature: fb.block.signature,
      certificate: fb.certificate,
      logsBloom: `0x${'0'.repeat(512)}`,
      uncles: [],
    });
    expect(latest.transactions).toEqual(fb.block.transactions.map(txHash));
    for (const k of ['number', 'timestamp', 'gasUsed', 'gasLimit', 'size', 'difficulty', 'slot'])
      expect(latest[k]).toMatch(QUANTITY_RE);
    for (const k of ['hash', 'parentHash', 'txRoot', 'transactionsRoot', 'stateRoot', 'sha3Uncles'])
      expect(latest[k]).toMatch(HASH_RE);

    const full = (await h.call('eth_getBlockByNumber', [`0x${height.toString(16)}`, true])).result;
    expect(full.transactions).toHaveLength(fb.block.transactions.length);
    full.transactions.forEach((t: any, i: number) => {
      expect(t).toMatchObject({
        hash: txHash(fb.block.transactions[i]!),
        blockHash: fb.block.hash,
        transactionIndex: `0x${i.toString(16)}`,
        from: voterAddress(fb.block.transactions[i]!.from),
        voterId: fb.block.transactions[i]!.from,
      });
      for (const k of ['blockNumber', 'transactionIndex', 'gas', 'gasPrice', 'value', 'nonce', 'chainId'])
        expect(t[k]).toMatch(QUANTITY_RE);
    });

    expect((await h.call('eth_getBlockByNumber', [`0x${(height + 5).toString(16)}`])).result).toBeNull();
    expect((await h.call('eth_getBlockByHash', [`0x${'00'.repeat(32)}`])).result).toBeNull();
    // Block 0 is the genesis, by number, tag and hash.
    const genesis = (await h.call('eth_getBlockByNumber', ['earliest'])).result;
    expect(genesis).toMatchObject({
      number: '0x0',
      hash: genesisHash(h.backend.genesis),
      parentHash: `0x${'00'.repeat(32)}`,
      transactions: [],
      miner: `0x${'00'.repeat(20)}`,
      finalized: true,
    });
    expect((await h.call('eth_getBlockByNumber', ['0x0', true])).result).toEqual(genesis);
    expect((await h.call('eth_getBlockByHash', [genesis.hash])).result).toEqual(genesis);
    expect((await h.call('eth_accounts')).result).toEqual([]);
  });

  it('serves the pending candidate without a certificate', async () => {
    await h.call('eth_sendTransaction', [vote('pending-1')]);
    const candidate = h.backend.proposeCandidate();
    try {
      const pending = (await h.call('eth_getBlockByNumber', ['pending'])).result;
      expect(pending).toMatchObject({ hash: candidate.hash, certificate: null, finalized: false });
      expect((await h.call('eth_getBlockByHash', [candidate.hash])).result.hash).toBe(candidate.hash);
      expect((await h.call('eth_getBlockByNumber', ['latest'])).result.hash).not.toBe(candidate.hash);
    } finally {
      h.backend.finalizePending();
    }
  });

  it('serves certificates, raw finalized blocks and evidence (poa_*)', async () => {
    const fb = await h.backend.getFinalizedBlock(1);
    expect((await h.call('poa_getCertificate', ['0x1'])).result).toEqual(fb!.certificate);
    expect((await h.call('poa_getCertificate', [1])).result).toEqual(fb!.certificate);
    expect((await h.call('poa_getCertificate', [99999])).result).toBeNull();
    expect((await h.call('poa_getCertificate', ['one'])).error.message).toContain('blockNumber');
    expect((await h.call('poa_getFinalizedBlock', [1])).result).toEqual(JSON.parse(JSON.stringify(fb)));
    expect((await h.call('poa_getEvidence', [])).result).toEqual([]);
  });

  it('refuses eth_subscribe over HTTP with a message pointing at /ws', async () => {
    const r = await h.call('eth_subscribe', ['newHeads']);
    expect(r.error.code).toBe(-32601);
    expect(r.error.message).toContain('/ws');
  });
});
