/** Real chains for storage tests: 3 authorities, signed blocks, majority precommit certificates. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Block,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type Transaction,
  Signer,
  certificateFromVotes,
  createBlock,
  createVote,
  generateKeyPair,
  genesisHash,
  leaderOf,
  parseGenesis,
} from '@poa-vote/shared';

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
}

/** A fresh 3-authority chain. */
export function makeChain(chainId = 7): TestChain {
  const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const genesis = parseGenesis({
    chainId,
    genesisTime: 1_700_000_000_000,
    slotDurationMs: 1000,
    authorities: keys.map((k, i) => ({ id: `validator-${i + 1}`, publicKey: k.publicKey })),
  });
  return { genesis, signers: keys.map((k) => new Signer(k.privateKey)) };
}

/** A vote for a candidate of an election. */
export function ballot(voter: string, election: string, candidate: string): Transaction {
  return { from: voter, to: `election-${election}`, data: JSON.stringify({ candidate_id: candidate }) };
}

/** Sign block `height` (created in slot `slot`) on top of `parent`, with a 2-of-3 precommit certificate. */
export function finalizedBlock(
  chain: TestChain,
  parent: { hash: Hex; height: number },
  slot: number,
  transactions: Transaction[],
): FinalizedBlock {
  const { genesis, signers } = chain;
  const height = parent.height + 1;
  const proposer = leaderOf(genesis, slot);
  const block: Block = createBlock(
    genesis,
    { height, slot, parentHash: parent.hash, proposer, transactions },
    signers[proposer]!,
  );
  const votes = [0, 1].map((i) =>
    createVote(genesis, signers[i]!, i, { type: 'precommit', height, slot, blockHash: block.hash }),
  );
  return { block, certificate: certificateFromVotes(votes) };
}

/** `n` consecutive finalized blocks from genesis; `txs(h)` gives the votes of block h. */
export function buildBlocks(
  chain: TestChain,
  n: number,
  txs: (height: number) => Transaction[],
  from?: { hash: Hex; height: number; slot: number },
): FinalizedBlock[] {
  let parent = from ?? { hash: genesisHash(chain.genesis), height: 0, slot: 0 };
  const out: FinalizedBlock[] = [];
  for (let i = 0; i < n; i++) {
    const fb = finalizedBlock(chain, parent, parent.slot + 1, txs(parent.height + 1));
    out.push(fb);
    parent = { hash: fb.block.hash, height: fb.block.header.height, slot: fb.block.header.slot };
  }
  return out;
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'poa-db-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
