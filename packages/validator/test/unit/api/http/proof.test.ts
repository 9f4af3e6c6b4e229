/** Inclusion proofs of the API (api/proof.ts): GET /transactions/:hash/proof and poa_getProof. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { type Hex, type Transaction, merkleRoot, txHash, verifyMerkleProof } from '@poa-vote/shared';
import { createHttpApp } from '../../../../src/api/http/app.js';
import type { NodeApiBackend, TxState } from '../../../../src/api/interface.js';
import { transactionProof } from '../../../../src/api/proof.js';
import { silentLogger } from '../../../../src/util/logger.js';
import { JsonRpcServer } from '../../../../src/api/jsonrpc/server.js';
import { registerNodeMethods } from '../../../../src/api/jsonrpc/methods/index.js';

const txs: Transaction[] = Array.from({ length: 7 }, (_, i) => ({
  from: `voter-${i}`,
  to: 'election-1',
  data: `ballot-${i}`,
}));
const hashes = txs.map(txHash);
const block = {
  header: { height: 4, txRoot: merkleRoot(hashes), txCount: txs.length },
  hash: `0x${'ab'.repeat(32)}` as Hex,
  transactions: txs,
};
const pending = txHash({ from: 'late', to: 'election-1', data: 'x' });

/** Just what the proof needs: one finalized block of seven votes, one pooled vote, one submission id. */
const backend = {
  nodeId: 'validator-1',
  resolveTxRef: async (ref: string) => (ref === 'sub-3' ? hashes[3] : undefined),
  getTransaction: async (hash: Hex) => {
    const i = hashes.indexOf(hash);
    if (i >= 0) return { tx: txs[i]!, hash, blockHash: block.hash, blockNumber: 4, transactionIndex: i };
    return hash === pending ? { tx: txs[0]!, hash } : undefined;
  },
  getFinalizedBlock: async (h: number) => (h === 4 ? { block, certificate: {} } : undefined),
  getTxState: async (hash: Hex): Promise<TxState> =>
    hash === pending ? { state: 'replicated', hash } : { state: 'unknown', hash },
} as unknown as NodeApiBackend;

describe('transactionProof', () => {
  it('proves every vote of a block against its txRoot, by hash or submission id', async () => {
    for (const [i, h] of hashes.entries()) {
      const out = await transactionProof(backend, h);
      if (!out.ok) throw new Error('no proof');
      expect(out.proof).toMatchObject({
        transactionHash: h,
        leaf: h,
        blockNumber: 4,
        blockHash: block.hash,
        index: i,
        treeSize: 7,
        root: block.header.txRoot,
        algorithm: 'rfc6962-sha256',
      });
      expect(verifyMerkleProof(out.proof, block.header.txRoot)).toBe(true);
    }
    const bySub = await transactionProof(backend, 'sub-3');
    expect(bySub.ok && bySub.proof.index).toBe(3);
    const upper = await transactionProof(backend, hashes[5]!.toUpperCase().replace('0X', '0x'));
    expect(upper.ok && upper.proof.leaf).toBe(hashes[5]);
  });

  it('has none for an unknown vote or one not final yet', async () => {
    expect(await transactionProof(backend, 'nope')).toEqual({ ok: false, reason: 'unknown' });
    expect(await transactionProof(backend, pending)).toEqual({
      ok: false,
      reason: 'not-finalized',
      hash: pending,
      state: { state: 'replicated', hash: pending },
    });
  });
});

describe('GET /transactions/:hash/proof and poa_getProof', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createHttpApp(backend, silentLogger).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers the proof, 404 with the state when not final, 404 when unknown', async () => {
    const ok = await fetch(`${base}/transactions/sub-3/proof`);
    expect(ok.status).toBe(200);
    const proof = (await ok.json()) as { siblings: Hex[]; index: number };
    expect(proof.index).toBe(3);
    expect(proof.siblings).toHaveLength(3);
    const notFinal = await fetch(`${base}/transactions/${pending}/proof`);
    expect(notFinal.status).toBe(404);
    expect(await notFinal.json()).toMatchObject({
      error: expect.stringContaining('not in a finalized block yet (state: replicated)'),
      state: { state: 'replicated' },
    });
    const unknown = await fetch(`${base}/transactions/nope/proof`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'transaction nope not found' });
  });

  it('GET / sends browsers to /explorer/ and JSON clients to the API index', async () => {
    const html = await fetch(`${base}/`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      redirect: 'manual',
    });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe('/explorer/');
    for (const accept of ['application/json', '*/*', undefined]) {
      const json = await fetch(`${base}/`, { headers: accept ? { accept } : {}, redirect: 'manual' });
      expect(json.status).toBe(200);
      expect(((await json.json()) as { endpoints: string[] }).endpoints).toContain('GET /transactions/:hash/proof');
    }
  });

  it('poa_getProof gives the same proof, null before finality', async () => {
    const rpc = registerNodeMethods(new JsonRpcServer({ logger: silentLogger }), { backend });
    const call = async (ref: string) =>
      rpc.handle({ jsonrpc: '2.0', id: 1, method: 'poa_getProof', params: [ref] }, { transport: 'http' });
    const viaHttp = await (await fetch(`${base}/transactions/${hashes[6]}/proof`)).json();
    expect(await call(hashes[6]!)).toMatchObject({ result: viaHttp });
    expect(await call(pending)).toMatchObject({ result: null });
    expect(await call('nope')).toMatchObject({ result: null });
  });
});
