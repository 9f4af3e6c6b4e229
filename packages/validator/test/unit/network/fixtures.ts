/** Fixtures for network tests: a 3-authority chain, signed protocol objects, and nodes on loopback. */
import {
  type Block,
  type FinalizedBlock,
  type KeyPair,
  type Proposal,
  type Transaction,
  type Vote,
  createProposal,
  createVote,
  genesisHash,
} from '@poa-vote/shared';
import {
  type TestChain,
  finalize,
  leaderBlock,
  makeTestChain,
  recordingLogger,
  type LogLine,
} from '@poa-vote/test-utils';
import type { ConsensusMessage } from '../../../src/consensus/interface.js';
import { Network, type NetworkOptions } from '../../../src/network/index.js';

export { recordingLogger, type LogLine, type TestChain };

/** A chain whose authorities have fresh keys. */
export function makeChain(n = 3, chainId = 4242, extraKeys: KeyPair[] = []): TestChain {
  return makeTestChain({ n, chainId, extraKeys });
}

/** A vote transaction of voter i. */
export function tx(i: number, data = `ballot-${i}`): Transaction {
  return { from: `voter-${i}`, to: 'election-1', data };
}

/** Block 1 created by the leader of `slot`. */
export function makeBlock(chain: TestChain, slot: number, transactions: Transaction[] = []): Block {
  return leaderBlock(chain, { height: 1, slot, parentHash: genesisHash(chain.genesis), transactions });
}

/** A fresh proposal of block 1 at `slot`. */
export function makeProposal(chain: TestChain, slot: number, transactions: Transaction[] = []): Proposal {
  const block = makeBlock(chain, slot, transactions);
  return createProposal(chain.genesis, chain.signers[block.header.proposer]!, { slot, block, validRound: -1 });
}

/** A prevote by authority `validator` for block 1 at `slot`. */
export function makeVote(
  chain: TestChain,
  validator: number,
  slot: number,
  blockHash = makeBlock(chain, slot).hash,
): Vote {
  return createVote(chain.genesis, chain.signers[validator]!, validator, {
    type: 'prevote',
    height: 1,
    slot,
    blockHash,
  });
}

/** A block with a precommit quorum (authorities 0 and 1). */
export function makeFinalized(chain: TestChain, block: Block): FinalizedBlock {
  return finalize(chain, block);
}

/** A started network node with everything it received. */
export interface TestNode {
  net: Network;
  index: number;
  received: Array<{ from: number; msg: ConsensusMessage }>;
  logger: ReturnType<typeof recordingLogger>;
}

/** Create and start the network of authority `index`, listening on 127.0.0.1. */
export async function startNode(
  chain: TestChain,
  index: number,
  peers: string[],
  extra: Partial<NetworkOptions> = {},
): Promise<TestNode> {
  const logger = recordingLogger();
  const net = await Network.create({
    genesis: chain.genesis,
    self: index,
    privateKey: chain.keys[index]!.privateKey,
    listenHost: '127.0.0.1',
    listenPort: 0,
    peers,
    logger,
    ...extra,
  });
  const node: TestNode = { net, index, received: [], logger };
  net.onMessage((from, msg) => node.received.push({ from, msg }));
  await net.start();
  return node;
}

/** Poll until `cond` holds; fails with `what` after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The TCP port of a node's first listen address. */
export function portOf(net: Network): number {
  const m = /\/tcp\/(\d+)/.exec(net.listenAddrs()[0] ?? '');
  if (!m) throw new Error('node has no TCP listen address');
  return Number(m[1]);
}

/** A listen address without its /p2p/ suffix. */
export function withoutPeerId(addr: string): string {
  return addr.replace(/\/p2p\/[^/]+$/, '');
}

/** Messages of one type a node received. */
export function receivedOfType<T extends ConsensusMessage['type']>(
  node: TestNode,
  type: T,
): Array<{ from: number; msg: Extract<ConsensusMessage, { type: T }> }> {
  return node.received.filter((r) => r.msg.type === type) as Array<{
    from: number;
    msg: Extract<ConsensusMessage, { type: T }>;
  }>;
}
