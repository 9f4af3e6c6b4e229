import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { genesisHash, type Hex, parseGenesis, txHash } from '@poa-vote/shared';
import { peerIdOfAuthority } from '../../../src/network/index.js';
import type { ConsensusMessage } from '../../../src/consensus/interface.js';
import {
  type TestNode,
  makeBlock,
  makeChain,
  makeFinalized,
  makeProposal,
  makeVote,
  portOf,
  receivedOfType,
  sleep,
  startNode,
  tx,
  waitFor,
  withoutPeerId,
} from './fixtures.js';

const chain = makeChain(3);

/** Three authorities, fully connected: 1 dials 0 (with peer id), 2 dials 0 and 1 (1 without). */
async function startTrio(): Promise<TestNode[]> {
  const n0 = await startNode(chain, 0, []);
  const n1 = await startNode(chain, 1, [n0.net.listenAddrs()[0]!]);
  const n2 = await startNode(chain, 2, [n0.net.listenAddrs()[0]!, withoutPeerId(n1.net.listenAddrs()[0]!)]);
  const nodes = [n0, n1, n2];
  await waitFor(
    () => nodes.every((n) => n.net.connectedAuthorities().length === 2),
    'the three authorities to connect',
  );
  await waitFor(() => nodes.every((n) => n.net.gossipPeers().length === 2), 'the gossip subscriptions to propagate');
  return nodes;
}

/** What the sender logged about each publish: how many peers gossip reached, who got it directly. */
function publishes(node: TestNode): Array<Record<string, unknown>> {
  return node.logger.lines.filter((l) => l.msg === 'published').map((l) => l.obj);
}

function codesLogged(node: TestNode): unknown[] {
  return node.logger.lines.map((l) => l.obj.code).filter((c) => c !== undefined);
}

describe('Network (three authorities on loopback)', () => {
  let nodes: TestNode[] = [];

  beforeEach(async () => {
    nodes = await startTrio();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.net.stop()));
  });

  it('uses the authority key as libp2p identity', () => {
    for (const n of nodes) {
      const expected = peerIdOfAuthority(chain.genesis.authorities[n.index]!.publicKey);
      expect(n.net.peerId).toBe(expected);
      expect(n.net.listenAddrs()[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${expected}$`));
    }
    expect(nodes[0]!.net.connectedAuthorities()).toEqual([1, 2]);
    expect(nodes[2]!.net.connectedAuthorities()).toEqual([0, 1]);
  });

  it('gossips a proposal, a vote and a status to the other two, not back to the sender', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const proposal = makeProposal(chain, 3, [tx(1), tx(2)]); // leader of slot 3 is authority 0
    const vote = makeVote(chain, 0, 3, proposal.block.hash);
    const status = { height: 1, slot: 3, headHash: genesisHash(chain.genesis) };
    n0.net.send('all', { type: 'proposal', proposal });
    n0.net.send('all', { type: 'vote', vote });
    n0.net.send('all', { type: 'status', status });
    for (const n of [n1, n2]) {
      await waitFor(() => n.received.length >= 3, `node ${n.index} to receive three messages`);
      expect(receivedOfType(n, 'proposal')).toEqual([{ from: 0, msg: { type: 'proposal', proposal } }]);
      expect(receivedOfType(n, 'vote')).toEqual([{ from: 0, msg: { type: 'vote', vote } }]);
      expect(receivedOfType(n, 'status')).toEqual([{ from: 0, msg: { type: 'status', status } }]);
    }
    // Delivered by gossipsub itself, not by the direct fallback.
    expect(publishes(n0).slice(0, 3)).toEqual(
      ['proposal', 'vote', 'status'].map((topic) => expect.objectContaining({ topic, gossiped: 2, direct: [] })),
    );
    await sleep(200);
    expect(n0.received).toEqual([]);
  }, 20_000);

  it('sends a proposal compact: a receiver holding its votes rebuilds it from its pool, one missing some fetches the block from the sender', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const big = 'x'.repeat(15_000);
    const txs = Array.from({ length: 350 }, (_, i) => tx(1000 + i, `${big}${i}`));
    const proposal = makeProposal(chain, 4, txs); // leader of slot 4 is authority 1; ~5.3 MB whole
    const pool = new Map(txs.map((t) => [txHash(t), t]));
    n0.net.setTxLookup((h) => pool.get(h)); // holds every vote
    n2.net.setTxLookup((h) => (Number(h.slice(-1).charCodeAt(0)) % 2 === 0 ? pool.get(h) : undefined)); // about half
    let served = 0;
    n1.net.onBlockRequest((hash) => {
      if (hash !== proposal.block.hash) return undefined;
      served++;
      return proposal.block;
    });
    n1.net.send('all', { type: 'proposal', proposal });
    for (const n of [n0, n2]) {
      await waitFor(() => receivedOfType(n, 'proposal').length === 1, `the proposal at node ${n.index}`, 20_000);
      const got = receivedOfType(n, 'proposal')[0]!;
      expect(got.from).toBe(1);
      expect(got.msg.proposal.block.hash).toBe(proposal.block.hash);
      expect(got.msg.proposal.block.transactions).toEqual(txs);
    }
    // ~70 bytes per vote on the wire, gossiped (not the several-MiB direct path).
    const sent = publishes(n1).find((p) => p.topic === 'proposal');
    expect(sent).toEqual(expect.objectContaining({ gossiped: 2 }));
    expect(Number(sent?.bytes)).toBeLessThan(40_000);
    // Node 0 used its pool; node 2 asked node 1 for the block, once.
    expect(n0.logger.lines.some((l) => l.msg === 'compact proposal completed from its block')).toBe(false);
    expect(n2.logger.lines.some((l) => l.msg === 'compact proposal completed from its block')).toBe(true);
    expect(served).toBe(1);
    await sleep(200);
    expect(receivedOfType(n2, 'proposal')).toHaveLength(1);
  }, 30_000);

  it('coalesces acknowledgements sent within the window into one message, and lets waiting ones ride along a txs batch', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const ack = (seq: number) => ({ origin: 1, epoch: 9, seq, refused: [] });
    n0.net.send('all', { type: 'acks', acks: [ack(1)] });
    n0.net.send('all', { type: 'acks', acks: [ack(2), ack(3)] });
    for (const n of [n1, n2]) await waitFor(() => receivedOfType(n, 'acks').length >= 1, `acks at node ${n.index}`);
    await sleep(200);
    for (const n of [n1, n2])
      expect(receivedOfType(n, 'acks')).toEqual([{ from: 0, msg: { type: 'acks', acks: [ack(1), ack(2), ack(3)] } }]);
    // A transaction batch leaving while an acknowledgement waits carries it: one message, not two.
    n0.net.send('all', { type: 'acks', acks: [ack(4)] });
    n0.net.send('all', { type: 'txs', txs: [tx(1)], batch: { epoch: 5, seq: 0 } });
    for (const n of [n1, n2]) await waitFor(() => receivedOfType(n, 'txs').length >= 1, `txs at node ${n.index}`);
    await sleep(200);
    for (const n of [n1, n2]) {
      expect(receivedOfType(n, 'txs')).toEqual([
        { from: 0, msg: { type: 'txs', txs: [tx(1)], batch: { epoch: 5, seq: 0 }, acks: [ack(4)] } },
      ]);
      expect(receivedOfType(n, 'acks')).toHaveLength(1);
    }
  }, 20_000);

  it('carries transaction batches and acknowledgements on one channel per peer: in order, once each, never gossiped', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const batches = Array.from({ length: 30 }, (_, seq) => ({
      type: 'txs' as const,
      txs: [tx(100 + seq)],
      batch: { epoch: 3, seq },
    }));
    for (const b of batches) n0.net.send('all', b);
    n0.net.send('all', { type: 'acks', acks: [{ origin: 1, epoch: 9, seq: 0, refused: [] }] });
    for (const n of [n1, n2]) {
      await waitFor(() => receivedOfType(n, 'acks').length >= 1, `the acknowledgement at node ${n.index}`);
      expect(receivedOfType(n, 'txs').map((r) => [r.from, r.msg.batch?.seq])).toEqual(
        batches.map((b) => [0, b.batch.seq]),
      );
    }
    await sleep(200);
    // Not relayed (each peer got each batch once, from its origin) and not on gossipsub.
    for (const n of [n1, n2]) expect(receivedOfType(n, 'txs')).toHaveLength(30);
    expect(publishes(n0).filter((p) => p.topic === 'txs' || p.topic === 'acks')).toEqual([]);
  }, 20_000);

  it('refuses an invalid or oversized channel message without delivering it, penalizes the sender, and the next batch gets through', async () => {
    const [n0] = nodes as [TestNode, TestNode, TestNode];
    // Authority 1 is restarted with a larger batch limit than the others accept.
    await nodes[1]!.net.stop();
    const liar = await startNode(chain, 1, [n0.net.listenAddrs()[0]!], { maxTxBatchBytes: 8 * 1024 * 1024 });
    nodes[1] = liar;
    await waitFor(() => liar.net.connectedAuthorities().includes(0), 'the restarted authority to reconnect');
    const failures = () =>
      n0.logger.lines.filter((l) => l.msg === 'inbound request failed' && l.obj.method === 'channel').map((l) => l.obj);
    const batchOf = (n: number, seq: number) => ({
      type: 'txs' as const,
      txs: Array.from({ length: n }, (_, i) => tx(2000 + 100 * seq + i, 'x'.repeat(60_000))),
      batch: { epoch: 4, seq },
    });
    // A frame over the largest message a channel carries is refused from its length alone...
    liar.net.send(0, batchOf(90, 0));
    await waitFor(() => failures().length === 1, 'node 0 to refuse the oversized channel frame');
    expect(failures()[0]).toEqual(expect.objectContaining({ peer: 1, code: 'NETWORK_FRAME_TOO_LARGE' }));
    // ...and a batch over the txs limit by that limit.
    await sleep(300);
    liar.net.send(0, batchOf(40, 1));
    await waitFor(() => failures().length === 2, 'node 0 to refuse the oversized batch');
    expect(failures()[1]).toEqual(expect.objectContaining({ peer: 1, code: 'GOSSIP_TOO_LARGE' }));
    // Each refusal aborts the stream; the next message opens a new channel, where a malformed batch is refused too.
    await sleep(300);
    liar.net.send(0, {
      type: 'txs',
      txs: [{ from: 7, to: 'election-1', data: 'x' } as never],
      batch: { epoch: 4, seq: 2 },
    });
    await waitFor(() => failures().length === 3, 'node 0 to refuse the malformed batch');
    expect(failures()[2]).toEqual(expect.objectContaining({ peer: 1 }));
    expect(String(failures()[2]?.err)).toMatch(/from/);
    expect(n0.logger.lines.filter((l) => l.msg === 'peer penalized' && l.obj.peer === 1)).toHaveLength(3);
    expect(receivedOfType(n0, 'txs')).toEqual([]);
    await sleep(300);
    liar.net.send(0, { type: 'txs', txs: [tx(3000)], batch: { epoch: 4, seq: 3 } });
    await waitFor(() => receivedOfType(n0, 'txs').length > 0, 'the next batch at node 0');
    expect(receivedOfType(n0, 'txs').map((r) => r.msg.batch?.seq)).toEqual([3]);
  }, 30_000);

  it('rejects gossip with a bad signature and does not deliver it', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const good = makeVote(chain, 0, 6);
    const sig = good.signature;
    const bad = { ...makeVote(chain, 0, 7), signature: `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}` as Hex };
    n0.net.send('all', { type: 'vote', vote: bad });
    n0.net.send('all', { type: 'vote', vote: good });
    for (const n of [n1, n2]) {
      await waitFor(() => receivedOfType(n, 'vote').length >= 1, `the good vote at node ${n.index}`);
      await waitFor(() => codesLogged(n).includes('VOTE_BAD_SIGNATURE'), `node ${n.index} to log the bad signature`);
    }
    await sleep(200);
    for (const n of [n1, n2])
      expect(receivedOfType(n, 'vote')).toEqual([{ from: 0, msg: { type: 'vote', vote: good } }]);
  }, 20_000);

  it('rejects oversized gossip and does not deliver it', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const padded = {
      type: 'vote',
      vote: { ...makeVote(chain, 0, 9), padding: 'p'.repeat(10_000) },
    } as unknown as ConsensusMessage;
    const status = { height: 1, slot: 9, headHash: genesisHash(chain.genesis) };
    n0.net.send('all', padded);
    n0.net.send('all', { type: 'status', status });
    for (const n of [n1, n2]) {
      await waitFor(() => receivedOfType(n, 'status').length >= 1, `the status at node ${n.index}`);
      await waitFor(() => codesLogged(n).includes('GOSSIP_TOO_LARGE'), `node ${n.index} to log the oversized vote`);
    }
    await sleep(200);
    for (const n of [n1, n2]) expect(receivedOfType(n, 'vote')).toEqual([]);
  }, 20_000);

  it('sends a directed message to one authority only', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const status = { height: 1, slot: 10, headHash: genesisHash(chain.genesis) };
    n0.net.send(2, { type: 'status', status });
    await waitFor(() => receivedOfType(n2, 'status').length === 1, 'the directed status at node 2');
    expect(receivedOfType(n2, 'status')[0]).toEqual({ from: 0, msg: { type: 'status', status } });
    await sleep(200);
    expect(n1.received).toEqual([]);
  }, 20_000);

  it('re-sends a message already gossiped (same bytes) directly', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const vote = makeVote(chain, 0, 11);
    n0.net.send('all', { type: 'vote', vote });
    for (const n of [n1, n2])
      await waitFor(() => receivedOfType(n, 'vote').length === 1, `first vote at node ${n.index}`);
    n0.net.send('all', { type: 'vote', vote });
    for (const n of [n1, n2])
      await waitFor(() => receivedOfType(n, 'vote').length === 2, `re-sent vote at node ${n.index}`);
  }, 20_000);

  it('answers a sync request from the handler and delivers it as a sync-response', async () => {
    const [n0, n1] = nodes as [TestNode, TestNode, TestNode];
    const fb = makeFinalized(chain, makeBlock(chain, 1, [tx(5)]));
    const asked: Array<[number, number]> = [];
    n1.net.onSyncRequest(async (fromHeight, max) => {
      asked.push([fromHeight, max]);
      return fromHeight === 1 ? [fb] : [];
    });
    n0.net.send(1, { type: 'sync-request', fromHeight: 1, max: 10 });
    await waitFor(() => receivedOfType(n0, 'sync-response').length === 1, 'the sync response at node 0');
    expect(asked).toEqual([[1, 10]]);
    expect(receivedOfType(n0, 'sync-response')[0]).toEqual({ from: 1, msg: { type: 'sync-response', blocks: [fb] } });
  }, 20_000);

  it('drops a sync response that is not what was asked, and tells the core the request is over', async () => {
    const [n0, , n2] = nodes as [TestNode, TestNode, TestNode];
    const height1 = makeFinalized(chain, makeBlock(chain, 2, [tx(7)]));
    n2.net.onSyncRequest(async () => [height1]);
    n0.net.send(2, { type: 'sync-request', fromHeight: 2, max: 10 });
    await waitFor(() => codesLogged(n0).includes('NETWORK_BAD_RESPONSE'), 'node 0 to log the bad response');
    await waitFor(() => receivedOfType(n0, 'sync-response').length === 1, 'the empty sync answer');
    expect(receivedOfType(n0, 'sync-response')).toEqual([{ from: 2, msg: { type: 'sync-response', blocks: [] } }]);
  }, 20_000);

  it('fetches a block by hash from the peer that has it', async () => {
    const [n0, n1, n2] = nodes as [TestNode, TestNode, TestNode];
    const block = makeBlock(chain, 5, [tx(8)]);
    const asked: Hex[] = [];
    n1.net.onBlockRequest((hash) => {
      asked.push(hash);
      return undefined;
    });
    n2.net.onBlockRequest((hash) => (hash === block.hash ? block : undefined));
    n0.net.send('all', { type: 'block-request', hash: block.hash });
    await waitFor(() => receivedOfType(n0, 'block-response').length === 1, 'the block response at node 0');
    expect(receivedOfType(n0, 'block-response')[0]).toEqual({ from: 2, msg: { type: 'block-response', block } });
    expect(asked).toEqual([block.hash]);
  }, 20_000);
});

describe('Network reconnection and admission', () => {
  const started: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(started.map((n) => n.net.stop()));
    started.length = 0;
  });

  it('sends a whole proposal too large for gossipsub (several MiB) directly to every authority', async () => {
    // Votes of up to 1 MiB: seven of them make a proposal that travels whole (too few to be compact).
    const g = chain.genesis;
    const bigChain = {
      ...chain,
      genesis: parseGenesis({
        chainId: g.chainId + 1,
        genesisTime: g.genesisTime,
        slotDurationMs: g.slotDurationMs,
        authorities: g.authorities.map((a) => ({ id: a.id, publicKey: a.publicKey })),
        limits: { maxTxBytes: 1 << 20 },
      }),
    };
    const n0 = await startNode(bigChain, 0, []);
    const n1 = await startNode(bigChain, 1, [n0.net.listenAddrs()[0]!]);
    const n2 = await startNode(bigChain, 2, [n0.net.listenAddrs()[0]!, n1.net.listenAddrs()[0]!]);
    started.push(n0, n1, n2);
    await waitFor(() => started.every((n) => n.net.connectedAuthorities().length === 2), 'the three to connect');
    const txs = Array.from({ length: 7 }, (_, i) => tx(1000 + i, `${'x'.repeat(700_000)}${i}`));
    const proposal = makeProposal(bigChain, 4, txs); // leader of slot 4 is authority 1; ~4.9 MB
    n1.net.send('all', { type: 'proposal', proposal });
    for (const n of [n0, n2]) {
      await waitFor(() => receivedOfType(n, 'proposal').length === 1, `the large proposal at node ${n.index}`, 20_000);
      const got = receivedOfType(n, 'proposal')[0]!;
      expect(got.from).toBe(1);
      expect(got.msg.proposal.block.hash).toBe(proposal.block.hash);
      expect(got.msg.proposal.block.transactions).toHaveLength(7);
    }
    expect(n1.logger.lines.some((l) => l.msg.startsWith('too large for gossipsub'))).toBe(true);
  }, 30_000);

  it('redials a stopped authority once it is back on its address', async () => {
    const n1 = await startNode(chain, 1, []);
    started.push(n1);
    const n0 = await startNode(chain, 0, [withoutPeerId(n1.net.listenAddrs()[0]!)], { redialIntervalMs: 300 });
    started.push(n0);
    await waitFor(() => n0.net.connectedAuthorities().includes(1), 'node 0 to connect to node 1');
    const port = portOf(n1.net);
    await n1.net.stop();
    started.splice(started.indexOf(n1), 1);
    await waitFor(() => !n0.net.connectedAuthorities().includes(1), 'node 0 to notice node 1 left');

    // The restarted node knows no peers: only node 0's redial can reconnect them.
    const back = await startNode(chain, 1, [], { listenPort: port });
    started.push(back);
    await waitFor(() => n0.net.connectedAuthorities().includes(1), 'node 0 to redial node 1', 10_000);
    const status = { height: 1, slot: 12, headHash: genesisHash(chain.genesis) };
    await waitFor(() => back.net.connectedAuthorities().includes(0), 'the restarted node to see node 0');
    back.net.send('all', { type: 'status', status });
    await waitFor(() => receivedOfType(n0, 'status').length === 1, 'a status from the restarted node');
    expect(receivedOfType(n0, 'status')[0]).toEqual({ from: 1, msg: { type: 'status', status } });
  }, 30_000);

  it('redials an authority that dialed it, at the address identify reported', async () => {
    const n0 = await startNode(chain, 0, [], { redialIntervalMs: 300 });
    started.push(n0);
    const n2 = await startNode(chain, 2, [n0.net.listenAddrs()[0]!]);
    started.push(n2);
    await waitFor(() => n0.net.connectedAuthorities().includes(2), 'node 2 to connect to node 0');
    const port = portOf(n2.net);
    await sleep(300); // let identify finish
    await n2.net.stop();
    started.splice(started.indexOf(n2), 1);
    await waitFor(() => !n0.net.connectedAuthorities().includes(2), 'node 0 to notice node 2 left');
    const back = await startNode(chain, 2, [], { listenPort: port });
    started.push(back);
    await waitFor(() => n0.net.connectedAuthorities().includes(2), 'node 0 to redial node 2', 10_000);
    expect(n0.logger.lines.some((l) => l.msg === 'redialed authority at its identified address')).toBe(true);
  }, 30_000);

  it('refuses peers that are not genesis authorities', async () => {
    const n0 = await startNode(chain, 0, []);
    started.push(n0);
    // The outsider believes it is authority 3 of a 4-authority chain with the same id.
    const outsiderChain = makeChain(0, chain.genesis.chainId, [...chain.keys, ...makeChain(1).keys]);
    const outsider = await startNode(outsiderChain, 3, [n0.net.listenAddrs()[0]!], { redialIntervalMs: 200 });
    started.push(outsider);
    const status = { height: 1, slot: 13, headHash: genesisHash(chain.genesis) };
    for (let i = 0; i < 5; i++) {
      outsider.net.send('all', { type: 'status', status });
      outsider.net.send(0, { type: 'status', status });
      await sleep(200);
    }
    // The outsider may briefly believe it is connected while node 0 drops it after the handshake.
    expect(n0.received).toEqual([]);
    expect(n0.net.connectedAuthorities()).toEqual([]);
  }, 20_000);
});
