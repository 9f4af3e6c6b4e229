/** Real chains for storage tests: 3 authorities, signed blocks, majority precommit certificates. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FinalizedBlock, Genesis, Hex, Signer, Transaction } from '@poa-vote/shared';
import { finalize, finalizedChain, leaderBlock, makeTestChain, voteTx } from '@poa-vote/test-utils';

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
}

/** A fresh 3-authority chain. */
export function makeChain(chainId = 7): TestChain {
  const { genesis, signers } = makeTestChain({ chainId });
  return { genesis, signers };
}

/** A vote for a candidate of an election. */
export function ballot(voter: string, election: string, candidate: string): Transaction {
  return voteTx(voter, election, candidate);
}

/** Sign block `height` (created in slot `slot`) on top of `parent`, with a 2-of-3 precommit certificate. */
export function finalizedBlock(
  chain: TestChain,
  parent: { hash: Hex; height: number },
  slot: number,
  transactions: Transaction[],
): FinalizedBlock {
  return finalize(
    chain,
    leaderBlock(chain, { height: parent.height + 1, slot, parentHash: parent.hash, transactions }),
  );
}

/** `n` consecutive finalized blocks from genesis; `txs(h)` gives the votes of block h. */
export function buildBlocks(
  chain: TestChain,
  n: number,
  txs: (height: number) => Transaction[],
  from?: { hash: Hex; height: number; slot: number },
): FinalizedBlock[] {
  return finalizedChain(chain, n, txs, from);
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'poa-db-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
