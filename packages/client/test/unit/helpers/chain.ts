/** A small real chain for tests: genesis with fresh keys, blocks and certificates built with the protocol's own functions. */
import type { FinalizedBlock, Genesis, Signer, Transaction } from '@poa-vote/shared';
import { finalizedChain, makeTestChain, voteTx } from '@poa-vote/test-utils';

export { clone } from '@poa-vote/test-utils';

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
  blocks: FinalizedBlock[];
}

/** A vote transaction. */
export function vote(voter: string, election: string, candidate: string): Transaction {
  return voteTx(voter, election, candidate);
}

/** A 3-authority chain whose block i+1 carries txsPerBlock[i], each certified by authorities 0 and 1. */
export function makeChain(txsPerBlock: Transaction[][], chainId = 1337): TestChain {
  const { genesis, signers } = makeTestChain({ chainId });
  const blocks = finalizedChain({ genesis, signers }, txsPerBlock.length, (height) => txsPerBlock[height - 1] ?? []);
  return { genesis, signers, blocks };
}
