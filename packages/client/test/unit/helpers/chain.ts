/** A small real chain for tests: genesis with fresh keys, blocks and certificates built with the protocol's own functions. */
import {
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
  blocks: FinalizedBlock[];
}

/** A vote transaction. */
export function vote(voter: string, election: string, candidate: string): Transaction {
  return { from: voter, to: `election-${election}`, data: JSON.stringify({ candidate_id: candidate }) };
}

/** A 3-authority chain whose block i+1 carries txsPerBlock[i], each certified by authorities 0 and 1. */
export function makeChain(txsPerBlock: Transaction[][], chainId = 1337): TestChain {
  const signers = Array.from({ length: 3 }, () => new Signer(generateKeyPair().privateKey));
  const genesis = parseGenesis({
    chainId,
    genesisTime: 1_700_000_000_000,
    slotDurationMs: 1000,
    authorities: signers.map((s, i) => ({ id: `validator-${i + 1}`, publicKey: s.publicKey })),
  });
  const blocks: FinalizedBlock[] = [];
  let parentHash: Hex = genesisHash(genesis);
  txsPerBlock.forEach((transactions, i) => {
    const height = i + 1;
    const slot = height;
    const proposer = leaderOf(genesis, slot);
    const block = createBlock(genesis, { height, slot, parentHash, proposer, transactions }, signers[proposer]!);
    const certificate = certificateFromVotes(
      [0, 1].map((v) =>
        createVote(genesis, signers[v]!, v, { type: 'precommit', height, slot, blockHash: block.hash }),
      ),
    );
    blocks.push({ block, certificate });
    parentHash = block.hash;
  });
  return { genesis, signers, blocks };
}

/** A deep copy, to tamper with. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
