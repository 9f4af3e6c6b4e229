/**
 * Three real validator processes on loopback: votes sent to different validators end in one
 * identical finalized chain, with receipts, results, double-vote refusal, idempotent retries,
 * restart with data kept, and bad input answered without harm.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { genesisCursor, verifyFinalizedBlock, txHash, type Hex } from '@poa-vote/shared';
import { TestNetwork, finalizedHeight, getJson, rpc, waitFor } from '@poa-vote/test-utils';

const ballot = (c: string) => Buffer.from(JSON.stringify({ candidate_id: c })).toString('base64');

describe('a three-validator network', () => {
  let net: TestNetwork;
  const sent: { voter: string; candidate: string; hash: Hex; submissionId: string; via: number }[] = [];

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: 500 });
    await net.start();
    await net.waitHealthy();
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('finalizes votes sent to different validators into one identical chain', async () => {
    for (let i = 0; i < 30; i++) {
      const via = i % 3;
      const candidate = ['alice', 'bob', 'carol'][i % 3]!;
      const submissionId = `tx-${i.toString(16).padStart(12, '0')}`;
      const tx = { from: `voter-${i}`, to: 'election-1', data: ballot(candidate), gas: '0x5208' };
      const r = await rpc(net.validators[via]!.url, 'eth_sendTransaction', [tx], submissionId);
      expect(r.error).toBeUndefined();
      expect(r.id).toBe(submissionId);
      expect(r.result).toBe(txHash(tx));
      sent.push({ voter: tx.from, candidate, hash: r.result as Hex, submissionId, via });
    }
    // every vote gets a receipt on every validator
    for (const v of net.validators) {
      await waitFor(
        async () => {
          for (const s of sent)
            if ((await rpc(v.url, 'eth_getTransactionReceipt', [s.hash])).result === null) return false;
          return true;
        },
        30_000,
        `receipts on ${v.id}`,
        () => v.output.slice(-10).join(''),
      );
    }
    // identical finalized headers on all three up to a common height
    const h = Math.min(...(await Promise.all(net.validators.map((v) => finalizedHeight(v.url)))));
    expect(h).toBeGreaterThan(0);
    for (let height = 1; height <= h; height++) {
      const hashes = await Promise.all(
        net.validators.map(async (v) => (await getJson(`${v.url}/blocks/${height}`)).body.block.hash),
      );
      expect(new Set(hashes).size).toBe(1);
    }
  }, 60_000);

  it('serves receipts by hash and by submission id, and blocks whose certificates verify from genesis', async () => {
    const s = sent[4]!;
    const byHash = (await rpc(net.validators[2]!.url, 'eth_getTransactionReceipt', [s.hash])).result as Record<
      string,
      string
    >;
    const byId = (await rpc(net.validators[s.via]!.url, 'eth_getTransactionReceipt', [s.submissionId]))
      .result as Record<string, string>;
    expect(byHash.transactionHash).toBe(s.hash);
    expect(byId).toEqual(byHash);
    expect(byHash.blockNumber).toMatch(/^0x(0|[1-9a-f][0-9a-f]*)$/);
    expect(byHash.status).toBe('0x1');
    let cursor = genesisCursor(net.genesis);
    const h = Number(byHash.blockNumber);
    for (let height = 1; height <= h; height++) {
      const { body } = await getJson(`${net.validators[1]!.url}/blocks/${height}`);
      cursor = verifyFinalizedBlock(net.genesis, cursor, body).cursor;
    }
    expect(cursor.hash).toBe(byHash.blockHash);
  }, 30_000);

  it('counts the results exactly and reports a valid chain', async () => {
    for (const v of net.validators) {
      const { status, body } = await getJson(`${v.url}/results?election_id=1`);
      expect(status).toBe(200);
      expect(body.total).toBe(30);
      expect(body.results).toEqual({ alice: 10, bob: 10, carol: 10 });
      const chain = await getJson(`${v.url}/blockchain?election_id=1`);
      expect(chain.body.verification.chain_valid).toBe(true);
      expect(chain.body.verification.checked_blocks).toBeGreaterThan(0);
    }
  }, 30_000);

  it('refuses a second, different vote naming the first, and returns the same hash for a retry', async () => {
    const s = sent[0]!;
    const retry = await rpc(net.validators[1]!.url, 'eth_sendTransaction', [
      { from: s.voter, to: 'election-1', data: ballot(s.candidate) },
    ]);
    expect(retry.result).toBe(s.hash);
    const other = await rpc(net.validators[2]!.url, 'eth_sendTransaction', [
      { from: s.voter, to: 'election-1', data: ballot('mallory') },
    ]);
    expect(other.result).toBeUndefined();
    const err = other.error as { code: number; message: string };
    expect(err.code).toBe(-32010);
    expect(err.message).toContain(s.hash);
  }, 30_000);

  it('answers malformed and oversized requests with JSON-RPC errors and keeps serving', async () => {
    const url = net.validators[0]!.url;
    const bad = await fetch(`${url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","method":',
    });
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const big = await fetch(`${url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_sendTransaction',
        params: [{ from: 'x', to: 'election-1', data: 'a'.repeat(20 * 1024 * 1024) }],
      }),
    });
    expect(big.status).toBe(413);
    const wrong = await rpc(url, 'eth_sendTransaction', [{ from: 'v', to: 'not-an-election', data: 'x' }]);
    expect((wrong.error as { code: number }).code).toBe(-32602);
    const none = await rpc(url, 'eth_noSuchMethod', []);
    expect((none.error as { code: number; message: string }).message).toContain('eth_noSuchMethod');
    expect((await getJson(`${url}/health`)).status).toBe(200);
  }, 30_000);

  it('restarts a killed validator from its data and it rejoins the chain', async () => {
    const before = await finalizedHeight(net.validators[2]!.url);
    await net.kill(2);
    // the other two keep finalizing
    const h0 = await finalizedHeight(net.validators[0]!.url);
    await net.waitHeight(0, h0 + 3);
    await net.start(2);
    await net.waitHealthy([2]);
    expect(await finalizedHeight(net.validators[2]!.url)).toBeGreaterThanOrEqual(before);
    const target = await finalizedHeight(net.validators[0]!.url);
    await net.waitHeight(2, target);
    const a = (await getJson(`${net.validators[0]!.url}/blocks/${target}`)).body.block.hash;
    const b = (await getJson(`${net.validators[2]!.url}/blocks/${target}`)).body.block.hash;
    expect(b).toBe(a);
    const r = await getJson(`${net.validators[2]!.url}/results?election_id=1`);
    expect(r.body.total).toBe(30);
  }, 60_000);
});
