/**
 * Ethereum tools read the chain: ethers 6 and viem 2, unmodified, against three real validator
 * processes. Every call's result is written to results/ethTools.json (the closing note
 * lists them). Subscriptions over HTTP (polling) and WebSocket (eth_subscribe newHeads) must see
 * each height exactly once, and a pushed block must be readable at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, WebSocketProvider } from 'ethers';
import { createPublicClient, defineChain, http, webSocket } from 'viem';
import { electionAddress, genesisHash, voterAddress } from '@poa-vote/shared';
import { TestNetwork, rpc, sleep, waitFor } from '@poa-vote/test-utils';

const RESULTS = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results/ethTools.json');
const log: { library: string; call: string; result: unknown }[] = [];
const record = (library: string, call: string, result: unknown): void => {
  log.push({
    library,
    call,
    result: JSON.parse(JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))),
  });
};

/** Heights seen by a subscription: strictly consecutive, none twice. */
function expectEachHeightOnce(heights: number[], what: string): void {
  expect(heights.length).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < heights.length; i++) {
    if (heights[i] !== heights[i - 1]! + 1)
      throw new Error(`${what}: heights ${JSON.stringify(heights)} are not each height once`);
  }
}

describe('ethers 6 and viem 2 against real validators', () => {
  let net: TestNetwork;
  let url: string;
  let wsUrl: string;
  const voteHashes: string[] = [];
  const chain = defineChain({
    id: 1337,
    name: 'poa-evoting devnet',
    nativeCurrency: { name: 'none', symbol: 'NONE', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });

  async function vote(voter: string, candidate: string): Promise<string> {
    const r = await rpc(
      url,
      'eth_sendTransaction',
      [{ from: voter, to: 'election-1', data: JSON.stringify({ candidate_id: candidate }) }],
      `sub-${voter}`,
    );
    if (typeof r.result !== 'string') throw new Error(`vote refused: ${JSON.stringify(r)}`);
    voteHashes.push(r.result);
    return r.result;
  }

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: 400 });
    await net.start();
    await net.waitHealthy();
    url = net.validators[0]!.url;
    wsUrl = `${url.replace('http', 'ws')}/ws`;
  }, 60_000);

  afterAll(async () => {
    writeFileSync(RESULTS, `${JSON.stringify({ at: new Date().toISOString(), calls: log }, null, 2)}\n`);
    await net?.stop();
  }, 30_000);

  it('ethers: getNetwork, getBlockNumber, getBlock (genesis, latest, finalized, number, with transactions), getTransaction, receipts, waiting', async () => {
    const provider = new JsonRpcProvider(`${url}/rpc`, undefined, { staticNetwork: false, pollingInterval: 200 });
    try {
      const network = await provider.getNetwork();
      record('ethers', 'getNetwork()', { chainId: network.chainId, name: network.name });
      expect(network.chainId).toBe(1337n);

      const genesis = await provider.getBlock(0);
      record('ethers', 'getBlock(0)', {
        number: genesis?.number,
        hash: genesis?.hash,
        miner: genesis?.miner,
        transactions: genesis?.transactions.length,
      });
      expect(genesis).toMatchObject({ number: 0, hash: genesisHash(net.genesis) });
      expect((await provider.getBlock('earliest'))?.hash).toBe(genesis?.hash);

      const hash = await vote('ethers-voter-1', 'alice');
      const tx = await provider.getTransaction(hash);
      record('ethers', 'getTransaction(hash) (pending or final)', {
        hash: tx?.hash,
        from: tx?.from,
        to: tx?.to,
        blockNumber: tx?.blockNumber,
        data: tx?.data,
        gasLimit: tx?.gasLimit,
        chainId: tx?.chainId,
        signature: { r: tx?.signature.r, s: tx?.signature.s, v: tx?.signature.v },
      });
      expect(tx?.from.toLowerCase()).toBe(voterAddress('ethers-voter-1'));
      expect(tx?.to?.toLowerCase()).toBe(electionAddress('election-1'));

      const waited = await tx!.wait(1, 30_000);
      record('ethers', 'tx.wait(1)', {
        status: waited?.status,
        blockNumber: waited?.blockNumber,
        blockHash: waited?.blockHash,
        gasUsed: waited?.gasUsed,
      });
      expect(waited?.status).toBe(1);
      const receipt = await provider.waitForTransaction(hash, 1, 30_000);
      record('ethers', 'waitForTransaction(hash, 1)', {
        status: receipt?.status,
        blockNumber: receipt?.blockNumber,
        from: receipt?.from,
        to: receipt?.to,
      });
      expect(receipt?.blockNumber).toBe(waited?.blockNumber);
      const direct = await provider.getTransactionReceipt(hash);
      record('ethers', 'getTransactionReceipt(hash)', {
        status: direct?.status,
        blockNumber: direct?.blockNumber,
        index: direct?.index,
        cumulativeGasUsed: direct?.cumulativeGasUsed,
        logs: direct?.logs.length,
      });
      expect(direct?.hash).toBe(hash);

      const n = await provider.getBlockNumber();
      record('ethers', 'getBlockNumber()', n);
      expect(n).toBeGreaterThanOrEqual(receipt!.blockNumber);
      const latest = await provider.getBlock('latest');
      const finalized = await provider.getBlock('finalized');
      record('ethers', "getBlock('latest')", {
        number: latest?.number,
        hash: latest?.hash,
        miner: latest?.miner,
        timestamp: latest?.timestamp,
      });
      record('ethers', "getBlock('finalized')", { number: finalized?.number, hash: finalized?.hash });
      expect(latest?.number).toBeGreaterThanOrEqual(n);
      const withTxs = await provider.getBlock(receipt!.blockNumber, true);
      const inBlock = withTxs?.prefetchedTransactions.find((t) => t.hash === hash);
      record('ethers', 'getBlock(n, true)', {
        number: withTxs?.number,
        transactions: withTxs?.transactions.length,
        prefetchedFrom: inBlock?.from,
        prefetchedTo: inBlock?.to,
        parentHash: withTxs?.parentHash,
      });
      expect(inBlock?.blockNumber).toBe(receipt!.blockNumber);
      const byHash = await provider.getBlock(withTxs!.hash!);
      expect(byHash?.number).toBe(withTxs?.number);
      record('ethers', 'listAccounts()', await provider.listAccounts());
    } finally {
      provider.destroy();
    }
  }, 90_000);

  it('ethers: HTTP polling and WebSocket block events see each height once, and the pushed block is readable', async () => {
    const httpProvider = new JsonRpcProvider(`${url}/rpc`, 1337, { staticNetwork: true, pollingInterval: 150 });
    const wsProvider = new WebSocketProvider(wsUrl, 1337);
    const httpHeights: number[] = [];
    const wsHeights: number[] = [];
    const unreadable: number[] = [];
    try {
      await httpProvider.on('block', (n: number) => void httpHeights.push(n));
      await wsProvider.on('block', (n: number) => {
        wsHeights.push(n);
        void wsProvider.getBlock(n).then((b) => (b === null ? unreadable.push(n) : undefined));
      });
      for (let i = 0; i < 6; i++) {
        await vote(`ethers-sub-${i}`, 'bob');
        await sleep(400);
      }
      await waitFor(() => httpHeights.length >= 5 && wsHeights.length >= 5, 20_000, 'ethers block events');
      record('ethers', "JsonRpcProvider.on('block') heights", httpHeights);
      record('ethers', "WebSocketProvider.on('block') heights", wsHeights);
      expectEachHeightOnce(httpHeights, 'ethers HTTP');
      expectEachHeightOnce(wsHeights, 'ethers WebSocket');
      await sleep(300);
      expect(unreadable).toEqual([]);
    } finally {
      httpProvider.destroy();
      await wsProvider.destroy();
    }
  }, 60_000);

  it('viem: getChainId, getBlockNumber, getBlock, getTransaction, receipts, waitForTransactionReceipt', async () => {
    const client = createPublicClient({ chain, transport: http(`${url}/rpc`), pollingInterval: 200 });
    const chainId = await client.getChainId();
    record('viem', 'getChainId()', chainId);
    expect(chainId).toBe(1337);
    const genesis = await client.getBlock({ blockNumber: 0n });
    record('viem', 'getBlock({blockNumber: 0n})', { number: genesis.number, hash: genesis.hash, miner: genesis.miner });
    expect(genesis.hash).toBe(genesisHash(net.genesis));
    expect((await client.getBlock({ blockTag: 'earliest' })).hash).toBe(genesis.hash);

    const hash = (await vote('viem-voter-1', 'carol')) as `0x${string}`;
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 30_000, pollingInterval: 200 });
    record('viem', 'waitForTransactionReceipt({hash})', {
      status: receipt.status,
      blockNumber: receipt.blockNumber,
      from: receipt.from,
      to: receipt.to,
      gasUsed: receipt.gasUsed,
    });
    expect(receipt.status).toBe('success');
    expect(receipt.from).toBe(voterAddress('viem-voter-1'));
    const again = await client.getTransactionReceipt({ hash });
    record('viem', 'getTransactionReceipt({hash})', {
      status: again.status,
      blockHash: again.blockHash,
      transactionIndex: again.transactionIndex,
    });
    const tx = await client.getTransaction({ hash });
    record('viem', 'getTransaction({hash})', {
      hash: tx.hash,
      from: tx.from,
      to: tx.to,
      type: tx.type,
      input: tx.input,
      blockNumber: tx.blockNumber,
      r: tx.r,
      s: tx.s,
      v: tx.v,
    });
    expect(tx.to).toBe(electionAddress('election-1'));
    expect(tx.blockNumber).toBe(receipt.blockNumber);

    const n = await client.getBlockNumber({ cacheTime: 0 });
    record('viem', 'getBlockNumber()', n);
    const latest = await client.getBlock();
    const finalized = await client.getBlock({ blockTag: 'finalized' });
    record('viem', "getBlock() ('latest')", { number: latest.number, hash: latest.hash, miner: latest.miner });
    record('viem', "getBlock({blockTag: 'finalized'})", { number: finalized.number, hash: finalized.hash });
    expect(latest.number).toBeGreaterThanOrEqual(n);
    const full = await client.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });
    const inBlock = full.transactions.find((t) => t.hash === hash);
    record('viem', 'getBlock({blockNumber, includeTransactions: true})', {
      number: full.number,
      transactions: full.transactions.length,
      from: inBlock?.from,
      to: inBlock?.to,
    });
    expect(inBlock?.from).toBe(voterAddress('viem-voter-1'));
    const byHash = await client.getBlock({ blockHash: full.hash });
    expect(byHash.number).toBe(full.number);
  }, 90_000);

  it('viem: watchBlocks over HTTP (polling) and WebSocket (newHeads) see each height once, never undefined', async () => {
    const httpClient = createPublicClient({ chain, transport: http(`${url}/rpc`), pollingInterval: 150 });
    const wsClient = createPublicClient({ chain, transport: webSocket(wsUrl) });
    const httpHeights: number[] = [];
    const wsHeights: number[] = [];
    const empties: string[] = [];
    const stopHttp = httpClient.watchBlocks({
      emitMissed: true,
      onBlock: (b) => (b ? httpHeights.push(Number(b.number)) : empties.push('http')),
      onError: (e) => empties.push(`http error ${e.message}`),
    });
    const stopWs = wsClient.watchBlocks({
      onBlock: (b) => (b ? wsHeights.push(Number(b.number)) : empties.push('ws')),
      onError: (e) => empties.push(`ws error ${e.message}`),
    });
    const stopNumbers = wsClient.watchBlockNumber({ onBlockNumber: () => undefined });
    try {
      for (let i = 0; i < 6; i++) {
        await vote(`viem-sub-${i}`, 'dave');
        await sleep(400);
      }
      await waitFor(() => httpHeights.length >= 5 && wsHeights.length >= 5, 20_000, 'viem block callbacks');
      record('viem', 'watchBlocks (http, emitMissed) heights', httpHeights);
      record('viem', 'watchBlocks (webSocket, eth_subscribe newHeads) heights', wsHeights);
      expect(empties).toEqual([]);
      expectEachHeightOnce(httpHeights, 'viem HTTP');
      expectEachHeightOnce(wsHeights, 'viem WebSocket');
    } finally {
      stopHttp();
      stopWs();
      stopNumbers();
      const socket = await wsClient.transport.getRpcClient();
      socket.close();
    }
  }, 60_000);
});
